/**
 * The mailbox sync part of `npm run bench`: an initial sync of a 10,000-message
 * mailbox on a local Dovecot by a real `npm run worker` process on PostgreSQL,
 * in messages/s as a ratio to a raw imapflow fetch of the same data in the same
 * run, and the worker's peak memory for 1,000 and 10,000 messages.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import pg from 'pg';
import { type DovecotServer, startDovecot } from '../e2e/fixtures/dovecot';
import { bulkMessages } from '../e2e/fixtures/mailbox';
import { peakRssMiB, root } from './server';

export interface SyncBenchResult {
  messages: number;
  rawMessagesPerSecond: number;
  syncMessagesPerSecond: number;
  ratio: number;
  workerPeakRssMiB: number | null;
}

const tsxCli = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const PASSWORD = 'bench-password';

/**
 * The yardstick: one imapflow FETCH of exactly what the sync asks for, nothing
 * stored. Run twice and timed the second time: the first FETCH after the APPENDs
 * makes Dovecot build its cache (1.5-2.5× slower), and the sync that follows reads
 * the warm cache, so a cold baseline would flatter the ratio.
 */
async function rawFetch(dovecot: DovecotServer, username: string): Promise<{ count: number; seconds: number }> {
  await rawFetchOnce(dovecot, username);
  return rawFetchOnce(dovecot, username);
}

async function rawFetchOnce(dovecot: DovecotServer, username: string): Promise<{ count: number; seconds: number }> {
  const { FETCH_QUERY } = await import('../lib/mailbox-sync/imap');
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: username, pass: PASSWORD },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  const started = performance.now();
  await client.mailboxOpen('INBOX', { readOnly: true });
  let count = 0;
  for await (const message of client.fetch('1:*', FETCH_QUERY, { uid: true })) if (message.uid) count += 1;
  const seconds = (performance.now() - started) / 1000;
  await client.logout();
  return { count, seconds };
}

/** A fresh, migrated database on the bench's PostgreSQL server, as the tests make them. */
export async function scratchDatabase(serverUrl: string): Promise<string> {
  const { createScratchPostgresDatabase } = await import('../lib/db/testing');
  const { url } = await createScratchPostgresDatabase(serverUrl, { migrated: true });
  return url;
}

/** Creates a developer, account and source straight in the database, and queues its sync. */
export async function seedSource(databaseUrl: string, dovecot: DovecotServer, username: string): Promise<string> {
  process.env.DATABASE_URL = databaseUrl;
  process.env.MAILPORT_MASTER_KEY ??= randomBytes(32).toString('hex');
  const { openDatabase } = await import('../lib/db/client');
  const { createDeveloperKey } = await import('../lib/developers/mutations');
  const { connectLocalMailbox } = await import('../lib/connect-tokens/testing');
  const { openJobQueue } = await import('../lib/jobs/queue');
  const { queueSourceSync } = await import('../lib/mailbox-sync/mutations');
  const opened = await openDatabase({ kind: 'postgres', url: databaseUrl, poolSize: 4 });
  try {
    const db = opened.client;
    const developer = await createDeveloperKey(db, { email: `${username}@bench.example`, appName: 'Bench' });
    const source = await connectLocalMailbox(db, developer.developerId, {
      email: username,
      password: PASSWORD,
      port: dovecot.port,
    });
    const queue = await openJobQueue(
      { db, target: { kind: 'postgres', connectionString: databaseUrl } },
      { supervise: false },
    );
    await queueSourceSync(db, source.sourceId);
    await queue.stop({ graceful: false, close: true, wait: true });
    return source.sourceId;
  } finally {
    await opened.close();
  }
}

/** Starts a worker, waits for the source's sync to finish, returns its rate and the worker's peak memory. */
async function syncWithWorker(databaseUrl: string, sourceId: string) {
  const worker: ChildProcess = spawn(process.execPath, [tsxCli, 'scripts/worker.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, MAILPORT_ALLOW_PRIVATE_HOSTS: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      const { rows } = await client.query(
        'SELECT state, messages_synced, last_sync_start, last_sync_stop FROM source_syncs WHERE source_id = $1',
        [sourceId],
      );
      const row = rows[0];
      if (row?.state === 'done') {
        const seconds = (row.last_sync_stop.getTime() - row.last_sync_start.getTime()) / 1000;
        return { messages: Number(row.messages_synced), seconds, peak: peakRssMiB(worker.pid ?? 0) };
      }
      if (row?.state === 'failed' || worker.exitCode !== null)
        throw new Error(`sync did not finish: ${JSON.stringify(row)}`);
      if (Date.now() > deadline) throw new Error('sync did not finish within 15 minutes');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
    if (worker.exitCode === null) {
      const exited = once(worker, 'exit');
      worker.kill('SIGTERM');
      await exited;
    }
  }
}

/** Target 3 of issue 14: the ratio at 10,000, memory flat from 1,000 to 10,000, and 100,000 reported. */
const SYNC_SIZES = [1_000, 10_000, 100_000];

export async function benchMailboxSync(postgresUrl: string): Promise<SyncBenchResult[]> {
  if (process.getuid?.() !== 0) throw new Error('the sync benchmark starts Dovecot, which needs root');
  const dovecot = await startDovecot();
  const results: SyncBenchResult[] = [];
  try {
    for (const size of SYNC_SIZES) await dovecot.addUser(`bench${size}@mailport.test`, PASSWORD);
    for (const size of SYNC_SIZES) {
      const username = `bench${size}@mailport.test`;
      // IMAP APPEND of 100,000 messages alone takes minutes here: the largest mailbox is written as Maildir files.
      if (size > 10_000) {
        console.log(`  mailbox sync: writing ${size} messages into the Maildir…`);
        await dovecot.deliverMessages(username, bulkMessages(size));
      } else {
        console.log(`  mailbox sync: appending ${size} messages…`);
        await dovecot.appendMessages(username, 'INBOX', bulkMessages(size));
      }
      const raw = await rawFetch(dovecot, username);
      const databaseUrl = await scratchDatabase(postgresUrl);
      const sourceId = await seedSource(databaseUrl, dovecot, username);
      console.log(`  mailbox sync: ${size} messages with npm run worker…`);
      const synced = await syncWithWorker(databaseUrl, sourceId);
      if (synced.messages !== size) throw new Error(`synced ${synced.messages} of ${size} messages`);
      const rawRate = raw.count / raw.seconds;
      const syncRate = synced.messages / synced.seconds;
      results.push({
        messages: size,
        rawMessagesPerSecond: rawRate,
        syncMessagesPerSecond: syncRate,
        ratio: syncRate / rawRate,
        workerPeakRssMiB: synced.peak,
      });
    }
  } finally {
    await dovecot.stop();
  }
  console.log('\nmailbox sync (npm run worker on PostgreSQL, local Dovecot)');
  console.log('messages  raw fetch msg/s  sync msg/s  sync s  ratio  worker peak RSS  target');
  for (const result of results) {
    console.log(
      [
        String(result.messages).padEnd(8),
        result.rawMessagesPerSecond.toFixed(0).padEnd(15),
        result.syncMessagesPerSecond.toFixed(0).padEnd(10),
        (result.messages / result.syncMessagesPerSecond).toFixed(1).padEnd(6),
        `${result.ratio.toFixed(2)}×`.padEnd(5),
        `${result.workerPeakRssMiB ?? '?'} MiB`.padEnd(15),
        result.messages === 10_000 ? 'ratio ≥ 0.7×; peak RSS flat across sizes' : '',
      ].join('  '),
    );
  }
  return results;
}
