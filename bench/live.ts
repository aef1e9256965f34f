/**
 * `npm run bench -- --filter live [--mailboxes 500] [--changed 50]`: live
 * mailboxes on a local Dovecot held by two `npm run worker` processes on
 * PostgreSQL, with an application-level webhook POSTing to a receiver here.
 * Reports the time from a message's delivery (doveadm save returned) to its
 * webhook POST received, and to its row being readable by the API (the row
 * the read routes serve), p50/p95 over `--changed` random mailboxes; the workers' memory per
 * live mailbox above the same workers idle; and how long the survivor takes to
 * hold every source after the other worker is SIGKILLed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { type DovecotServer, startDovecot } from '../e2e/fixtures/dovecot';
import { buildMessage } from '../e2e/fixtures/mailbox';
import { root } from './server';

export interface LiveBenchResult {
  mailboxes: number;
  changed: number;
  appendToVisibleP50Ms: number;
  appendToVisibleP95Ms: number;
  appendToVisibleMaxMs: number;
  appendToWebhookP50Ms: number;
  appendToWebhookP95Ms: number;
  appendToWebhookMaxMs: number;
  idleWorkersRssMiB: number;
  liveWorkersRssMiB: number;
  rssPerLiveMailboxKiB: number;
  takeoverMs: number;
  leaseSeconds: number;
}

const PASSWORD = 'bench-live-password';
const LEASE_SECONDS = 30;

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/**
 * Sources straight in the database, each initially synced (empty mailboxes: the live part is what is
 * measured), and one application-level webhook for every new message.
 */
async function seed(databaseUrl: string, dovecot: DovecotServer, users: string[], webhookUrl: string): Promise<void> {
  const { openDatabase } = await import('../lib/db/client');
  const { createDeveloperKey } = await import('../lib/developers/mutations');
  const { connectLocalMailbox } = await import('../lib/connect-tokens/testing');
  const { openMailboxSession } = await import('../lib/mailbox-sync/imap');
  const { runSourceSync } = await import('../lib/mailbox-sync/run');
  const { createWebhook } = await import('../lib/webhooks/mutations');
  const { createWebhookInput } = await import('../lib/webhooks/schema');
  const opened = await openDatabase({ kind: 'postgres', url: databaseUrl, poolSize: 8 });
  try {
    const db = opened.client;
    const developer = await createDeveloperKey(db, { email: 'live@bench.example', appName: 'Bench live' });
    const hook = createWebhookInput.parse({ callback_url: webhookUrl });
    const guard = { allowPrivateHosts: true };
    const created = await createWebhook(db, developer.developerId, { accountId: null }, hook, guard, new Date());
    if (!created.ok) throw new Error(`webhook: ${created.reason}`);
    const ids: string[] = [];
    for (const user of users) {
      const source = await connectLocalMailbox(db, developer.developerId, {
        email: user,
        password: PASSWORD,
        port: dovecot.port,
      });
      ids.push(source.sourceId);
    }
    let next = 0;
    const syncOne = async () => {
      while (next < ids.length) {
        const sourceId = ids[next++] as string;
        const result = await runSourceSync(db, sourceId, {
          openSession: (login) => openMailboxSession(login, { allowPrivateHosts: true }),
          now: () => new Date(),
          budgetMs: 60_000,
          isLastAttempt: true,
        });
        if (result.outcome !== 'done') throw new Error(`initial sync of ${sourceId}: ${JSON.stringify(result)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, syncOne));
  } finally {
    await opened.close();
  }
}

function startWorker(env: NodeJS.ProcessEnv): { child: ChildProcess; ready: Promise<void> } {
  // tsx as a loader: the worker is this very process (its RSS is the worker's, SIGKILL kills it).
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Mailport worker ready')) resolve();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) during start-up:\n${output}`)));
  });
  return { child, ready };
}

async function stopWorker(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Dovecot settings for hundreds of live (IDLE) mailboxes: `processes` imap processes (one per IDLE),
 * 50 connections per user and address, and 1 s re-checks once the kernel's inotify instances run out.
 */
export const manyIdleConnections = (processes: number) =>
  [
    `default_process_limit = ${processes}`,
    `default_client_limit = ${processes * 2}`,
    'mail_max_userip_connections = 50',
    'mailbox_idle_check_interval = 1 secs',
  ].join('\n');

export async function benchLiveMailboxes(
  postgresUrl: string,
  options: { mailboxes: number; changed: number },
): Promise<LiveBenchResult> {
  if (process.getuid?.() !== 0) throw new Error('the live benchmark starts Dovecot, which needs root');
  const { mailboxes, changed } = options;
  // One imap process per IDLE connection: Dovecot's default limit of 100 processes would refuse the rest.
  // Every imap process runs as the dovecot user and needs an inotify instance to hear of new mail at
  // once; past the kernel's per-user limit (fs.inotify.max_user_instances, 128 by default) Dovecot
  // falls back to re-checking the mailbox every mailbox_idle_check_interval (30 s by default): 1 s here.
  const limit = mailboxes * 2 + 100;
  const dovecot = await startDovecot({ extraConfig: manyIdleConnections(limit) });
  const masterKey = randomBytes(32).toString('hex');
  process.env.MAILPORT_MASTER_KEY = masterKey;
  const { createScratchPostgresDatabase } = await import('../lib/db/testing');
  const scratch = await createScratchPostgresDatabase(postgresUrl, { migrated: true });
  const client = new pg.Client({ connectionString: scratch.url });
  const workers: ChildProcess[] = [];
  // The partner's receiver: when each message's webhook POST arrived (its first: a repeat is a retry).
  const hookArrivals = new Map<string, number>();
  const receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      const at = performance.now();
      const emailMessageId = String(JSON.parse(text).message_data?.email_message_id);
      if (!hookArrivals.has(emailMessageId)) hookArrivals.set(emailMessageId, at);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    const users = Array.from({ length: mailboxes }, (_, i) => `live${i}@mailport.test`);
    for (const user of users) await dovecot.addUser(user, PASSWORD);
    console.log(`  live mailboxes: seeding and initially syncing ${mailboxes} sources…`);
    await seed(scratch.url, dovecot, users, webhookUrl);
    await client.connect();

    // Workers start while no source is live yet (initial syncs just done, leases not yet claimed
    // would be: hold them back by marking the sources not live), to measure them idle first.
    await client.query('UPDATE source_syncs SET initial_sync_done_at = NULL');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: scratch.url,
      MAILPORT_MASTER_KEY: masterKey,
      MAILPORT_ALLOW_PRIVATE_HOSTS: '1',
      MAILPORT_IMAP_CONNECTIONS_PER_SERVER: String(mailboxes + 10),
      MAILPORT_LIVE_LEASE_SECONDS: String(LEASE_SECONDS),
      NODE_ENV: 'production',
    };
    const started = [startWorker(env), startWorker(env)];
    workers.push(...started.map((worker) => worker.child));
    await Promise.all(started.map((worker) => worker.ready));
    await sleep(5_000);
    const idleKiB = workers.reduce((sum, worker) => sum + rssKiB(worker.pid ?? 0), 0);

    console.log(`  live mailboxes: ${mailboxes} sources going live on 2 workers…`);
    await client.query('UPDATE source_syncs SET initial_sync_done_at = now()');
    const livePassDone = async () => {
      // Every source leased, and every INBOX looked at since its lease began (the runner's first pass).
      const { rows } = await client.query(
        `SELECT count(*)::int AS n FROM source_leases l JOIN source_folders f ON f.source_id = l.source_id
         WHERE f.name = 'INBOX' AND f.last_sync_stop >= l.acquired_at`,
      );
      return rows[0].n === mailboxes;
    };
    await waitUntil('every mailbox to be live', livePassDone, 10 * 60_000, 500);
    await sleep(5_000);
    const liveKiB = workers.reduce((sum, worker) => sum + rssKiB(worker.pid ?? 0), 0);

    console.log(`  live mailboxes: one message to each of ${changed} random mailboxes…`);
    const chosen = [...users].sort(() => Math.random() - 0.5).slice(0, changed);
    const latencies: number[] = [];
    const hookLatencies: number[] = [];
    for (const [i, user] of chosen.entries()) {
      const messageId = `<live-bench-${i}@test>`;
      const rfc822 = buildMessage({
        messageId,
        from: 'Bench <bench@example.org>',
        to: `<${user}>`,
        subject: `Live ${i}`,
        date: new Date(),
        text: 'Live benchmark message.',
      });
      await dovecot.deliverMessage(user, 'INBOX', rfc822);
      const delivered = performance.now();
      for (;;) {
        const { rows } = await client.query('SELECT 1 FROM messages WHERE email_message_id = $1', [messageId]);
        if (rows.length > 0) break;
        if (performance.now() - delivered > 60_000) throw new Error(`${messageId} not visible within 60 s`);
        await sleep(5);
      }
      latencies.push(performance.now() - delivered);
      for (;;) {
        const at = hookArrivals.get(messageId);
        if (at !== undefined) {
          hookLatencies.push(at - delivered);
          break;
        }
        if (performance.now() - delivered > 60_000) throw new Error(`${messageId}: no webhook POST within 60 s`);
        await sleep(5);
      }
    }
    latencies.sort((a, b) => a - b);
    hookLatencies.sort((a, b) => a - b);

    console.log('  live mailboxes: SIGKILL one worker…');
    const [victim, survivor] = workers as [ChildProcess, ChildProcess];
    const survivorOwner = `:${survivor.pid}:`;
    victim.kill('SIGKILL');
    const killedAt = performance.now();
    await once(victim, 'exit');
    await waitUntil(
      'the survivor to hold every source',
      async () => {
        const { rows } = await client.query(
          'SELECT count(*)::int AS n FROM source_leases WHERE position($1 in owner_id) > 0',
          [survivorOwner],
        );
        return rows[0].n === mailboxes;
      },
      120_000,
      100,
    );
    const takeoverMs = performance.now() - killedAt;

    const result: LiveBenchResult = {
      mailboxes,
      changed,
      appendToVisibleP50Ms: Math.round(percentile(latencies, 0.5)),
      appendToVisibleP95Ms: Math.round(percentile(latencies, 0.95)),
      appendToVisibleMaxMs: Math.round(latencies.at(-1) ?? 0),
      appendToWebhookP50Ms: Math.round(percentile(hookLatencies, 0.5)),
      appendToWebhookP95Ms: Math.round(percentile(hookLatencies, 0.95)),
      appendToWebhookMaxMs: Math.round(hookLatencies.at(-1) ?? 0),
      idleWorkersRssMiB: Math.round(idleKiB / 1024),
      liveWorkersRssMiB: Math.round(liveKiB / 1024),
      rssPerLiveMailboxKiB: Math.round((liveKiB - idleKiB) / mailboxes),
      takeoverMs: Math.round(takeoverMs),
      leaseSeconds: LEASE_SECONDS,
    };
    printLiveBench(result);
    return result;
  } finally {
    for (const worker of workers) await stopWorker(worker);
    await client.end().catch(() => {});
    await scratch.drop().catch(() => {});
    await dovecot.stop();
    receiver.closeAllConnections();
    receiver.close();
  }
}

function printLiveBench(result: LiveBenchResult): void {
  console.log(`\nlive mailboxes (${result.mailboxes} on 2 npm run worker processes, PostgreSQL, local Dovecot)`);
  console.log(
    `delivery → webhook POST received, ${result.changed} random mailboxes: p50 ${result.appendToWebhookP50Ms} ms, ` +
      `p95 ${result.appendToWebhookP95Ms} ms, max ${result.appendToWebhookMaxMs} ms | target p95 ≤ 2000 ms`,
  );
  console.log(
    `delivery → visible to the API: p50 ${result.appendToVisibleP50Ms} ms, ` +
      `p95 ${result.appendToVisibleP95Ms} ms, max ${result.appendToVisibleMaxMs} ms`,
  );
  console.log(
    `worker memory: ${result.idleWorkersRssMiB} MiB idle → ${result.liveWorkersRssMiB} MiB live (both workers), ` +
      `${result.rssPerLiveMailboxKiB} KiB per live mailbox | target ≤ 1024 KiB`,
  );
  console.log(
    `takeover after SIGKILL: ${(result.takeoverMs / 1000).toFixed(1)} s (lease ${result.leaseSeconds} s) | target ≤ 60 s`,
  );
}
