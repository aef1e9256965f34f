import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { bulkMessages } from '@/e2e/fixtures/mailbox';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { resetConfigForTests } from '@/lib/env';
import { openJobQueue } from '@/lib/jobs/queue';
import { queueSourceSync } from '@/lib/mailbox-sync/mutations';
import { compileScripts } from './testing';

/**
 * `npm run worker` as operators run it, on PostgreSQL: a worker is killed
 * (SIGKILL) in the middle of a sync; another one takes the timed-out job over
 * and the mailbox ends up stored exactly once.
 */

const root = path.resolve(import.meta.dirname, '..');
const MESSAGES = 5000;
const PASSWORD = 'worker-test-password';
/** A killed worker's job is taken for crashed after 6 s (and retried 2-4 s later). */
const SYNC_JOB_TIMEOUT_SECONDS = '6';
const hasPostgres = !!process.env.MAILPORT_TEST_DATABASE_URL;

describe.skipIf(!hasPostgres)('npm run worker on PostgreSQL', () => {
  let dovecot: DovecotServer;
  let database: TestDatabase;
  const workers: ChildProcess[] = [];
  let compiled: { scripts: Record<'worker', string>; remove: () => void };

  beforeAll(async () => {
    // The process that queues the sync has the workers' setting, as an app beside them would: a job
    // carries the timeout of the process that sent it (with the default, a killed worker's job waits 10 min).
    process.env.MAILPORT_SYNC_JOB_TIMEOUT_SECONDS = SYNC_JOB_TIMEOUT_SECONDS;
    resetConfigForTests();
    compiled = await compileScripts(['worker']);
    dovecot = await startDovecot({ users: [{ username: 'big@mailport.test', password: PASSWORD }] });
    await dovecot.deliverMessages('big@mailport.test', bulkMessages(MESSAGES));
    database = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    // Stop the workers before their database is dropped.
    for (const worker of workers) {
      if (worker.exitCode !== null || worker.signalCode !== null) continue;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGTERM');
      const timer = setTimeout(() => worker.kill('SIGKILL'), 25_000);
      await exited;
      clearTimeout(timer);
    }
    await database?.close();
    await dovecot?.stop();
    compiled?.remove();
    delete process.env.MAILPORT_SYNC_JOB_TIMEOUT_SECONDS;
    resetConfigForTests();
  });

  function startWorker(): ChildProcess {
    if (database.target.kind !== 'postgres') throw new Error('postgres only');
    const worker = spawn(process.execPath, [compiled.scripts.worker], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: database.target.connectionString,
        MAILPORT_ALLOW_PRIVATE_HOSTS: '1',
        MAILPORT_SYNC_JOB_TIMEOUT_SECONDS: SYNC_JOB_TIMEOUT_SECONDS,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    worker.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[worker] ${chunk}`));
    workers.push(worker);
    return worker;
  }

  async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it('a worker killed mid-sync is replaced and nothing is lost or doubled', async () => {
    const { db } = database;
    const developer = await createDeveloperKey(db, { email: 'worker@example.com', appName: 'Worker' });
    const source = await connectLocalMailbox(db, developer.developerId, {
      email: 'big@mailport.test',
      password: PASSWORD,
      port: dovecot.port,
    });
    const queue = await openJobQueue(database, { supervise: false });
    await queueSourceSync(db, source.sourceId);
    await queue.stop({ graceful: false, close: true, wait: true });

    const synced = () => db.sourceSync.findUnique({ where: { sourceId: source.sourceId } });
    const first = startWorker();
    const partial = await waitFor('the first batches', synced, (row) => (row?.messagesSynced ?? 0) >= 500);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = await db.message.count({ where: { sourceId: source.sourceId } });
    expect(partial?.state).toBe('running');
    expect(atKill).toBeLessThan(MESSAGES);

    startWorker();
    const finished = await waitFor('the sync to finish', synced, (row) => row?.state === 'done');
    expect(finished?.messagesSynced).toBe(MESSAGES);
    const uids = await db.message.findMany({ where: { sourceId: source.sourceId }, select: { uid: true } });
    expect(uids.length).toBe(MESSAGES);
    expect(new Set(uids.map((row) => Number(row.uid))).size).toBe(MESSAGES);
    expect(Math.max(...uids.map((row) => Number(row.uid)))).toBe(MESSAGES);
    expect(finished?.initialSyncDoneAt).not.toBeNull();
  }, 180_000);
});
