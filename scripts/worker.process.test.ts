import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { bulkMessages } from '@/e2e/fixtures/mailbox';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { resetConfigForTests } from '@/lib/env';
import { openJobQueue } from '@/lib/jobs/queue';
import { queueSourceSync } from '@/lib/mailbox-sync/mutations';
import { postgresWorkers, waitUntil } from './testing';

/**
 * `npm run worker` as operators run it, on PostgreSQL: a worker is killed
 * (SIGKILL) in the middle of a sync; another one takes the timed-out job over
 * and the mailbox ends up stored exactly once.
 */

const MESSAGES = 5000;
const PASSWORD = 'worker-test-password';
/** A killed worker's job is taken for crashed after 6 s (and retried 2-4 s later). */
const SYNC_JOB_TIMEOUT_SECONDS = '6';
const hasPostgres = !!process.env.MAILPORT_TEST_DATABASE_URL;

describe.skipIf(!hasPostgres)('npm run worker on PostgreSQL', () => {
  let dovecot: DovecotServer;
  let database: TestDatabase;
  let workers: Awaited<ReturnType<typeof postgresWorkers>>;

  beforeAll(async () => {
    // The process that queues the sync has the workers' setting, as an app beside them would: a job
    // carries the timeout of the process that sent it (with the default, a killed worker's job waits 10 min).
    process.env.MAILPORT_SYNC_JOB_TIMEOUT_SECONDS = SYNC_JOB_TIMEOUT_SECONDS;
    resetConfigForTests();
    dovecot = await startDovecot({ users: [{ username: 'big@mailport.test', password: PASSWORD }] });
    await dovecot.deliverMessages('big@mailport.test', bulkMessages(MESSAGES));
    database = await openTestDatabase('postgres');
    workers = await postgresWorkers(database, {
      MAILPORT_SYNC_JOB_TIMEOUT_SECONDS: SYNC_JOB_TIMEOUT_SECONDS,
    });
  });
  afterAll(async () => {
    // Stop the workers before their database is dropped.
    await workers?.stopAll();
    await database?.close();
    await dovecot?.stop();
    workers?.remove();
    delete process.env.MAILPORT_SYNC_JOB_TIMEOUT_SECONDS;
    resetConfigForTests();
  });

  const waitFor = <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean) =>
    waitUntil(what, read, done, { timeoutMs: 90_000, report: () => workers.describe() });

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
    const first = workers.start();
    const partial = await waitFor('the first batches', synced, (row) => (row?.messagesSynced ?? 0) >= 500);
    await workers.kill(first);
    const atKill = await db.message.count({ where: { sourceId: source.sourceId } });
    expect(partial?.state).toBe('running');
    expect(atKill).toBeLessThan(MESSAGES);

    workers.start();
    const finished = await waitFor('the sync to finish', synced, (row) => row?.state === 'done');
    expect(finished?.messagesSynced).toBe(MESSAGES);
    const uids = await db.message.findMany({ where: { sourceId: source.sourceId }, select: { uid: true } });
    expect(uids.length).toBe(MESSAGES);
    expect(new Set(uids.map((row) => Number(row.uid))).size).toBe(MESSAGES);
    expect(Math.max(...uids.map((row) => Number(row.uid)))).toBe(MESSAGES);
    expect(finished?.initialSyncDoneAt).not.toBeNull();
  }, 180_000);
});
