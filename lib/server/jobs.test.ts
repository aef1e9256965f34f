import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { prepareMailbox } from '@/e2e/fixtures/mailbox';
import { attemptCallbackDelivery, retryDeliveryNow } from '@/lib/callbacks/mutations';
import { isValidCallbackSignature } from '@/lib/callbacks/schema';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { resetConfigForTests } from '@/lib/env';
import { enqueueCallbackDelivery, type JobQueue, openJobQueue, transactionWithDeliveries } from '@/lib/jobs/queue';
import { queueMissingSyncs, queueSourceSync } from '@/lib/mailbox-sync/mutations';
import { startWorkers } from './worker';

/**
 * The queue end to end on PGlite and PostgreSQL: pg-boss, the real workers, a
 * real Dovecot and a real HTTP receiver that fails before it succeeds.
 */

const PASSWORD = 'jobs-test-password';
let dovecot: DovecotServer;
let receiver: Server;
let receiverUrl: string;
/** Per path: answers to give in turn (the last one repeats), and what arrived. */
const script = new Map<string, number[]>();
const received: { path: string; status: number; body: Record<string, unknown> }[] = [];

beforeAll(async () => {
  // Short retries so the test sees several attempts within seconds.
  process.env.MAILPORT_CALLBACK_RETRY_SECONDS = '1';
  resetConfigForTests();
  dovecot = await startDovecot();
  await dovecot.addUser('jobs@mailport.test', PASSWORD);
  await prepareMailbox(dovecot, 'jobs@mailport.test');
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      const path = request.url ?? '/';
      const answers = script.get(path) ?? [200];
      const status = answers.length > 1 ? (answers.shift() as number) : (answers[0] ?? 200);
      received.push({ path, status, body: JSON.parse(text || '{}') });
      response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  delete process.env.MAILPORT_CALLBACK_RETRY_SECONDS;
  resetConfigForTests();
  await new Promise((resolve) => receiver?.close(resolve));
  await dovecot?.stop();
});

async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 45_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe.each(testDatabaseKinds())('jobs on %s', (kind) => {
  let database: TestDatabase;
  let queue: JobQueue;
  let developer: { developerId: string; secret: string };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    queue = await openJobQueue(database, { supervise: true, maintenanceIntervalSeconds: 1 });
    await startWorkers(database.db, queue, {
      allowPrivateHosts: true,
      syncJobTimeoutSeconds: 60,
      pollingIntervalSeconds: 0.5,
    });
    const key = await createDeveloperKey(database.db, { email: `jobs-${kind}@example.com`, appName: 'Jobs' });
    developer = { developerId: key.developerId, secret: key.secret };
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  const connect = (options: Record<string, string>) =>
    connectLocalMailbox(
      database.db,
      developer.developerId,
      { email: 'jobs@mailport.test', password: PASSWORD, port: dovecot.port },
      options,
    );

  it('a queued sync runs in a worker; the callback is retried until the receiver takes it, once', async () => {
    const path = `/synced-${kind}`;
    script.set(path, [500, 503, 200]);
    const source = await connect({ source_callback_url: `${receiverUrl}${path}` });
    // Two requests at once (a double click) queue one sync: one queued sync per source. At once, so the
    // worker cannot take the first away in between (a request while one runs queues the next, rightly).
    const requested = await Promise.all([
      queueSourceSync(database.db, source.sourceId),
      queueSourceSync(database.db, source.sourceId),
    ]);
    expect(requested.filter(Boolean)).toHaveLength(1);

    const state = await waitFor(
      'the sync',
      () => database.db.sourceSync.findUnique({ where: { sourceId: source.sourceId } }),
      (row) => row?.state === 'done',
    );
    expect(state?.messagesSynced).toBe(5);

    const delivery = await waitFor(
      'the delivery',
      () =>
        database.db.callbackDelivery.findFirst({
          where: { sourceId: source.sourceId },
          include: { attemptsMade: { orderBy: { attemptedAt: 'asc' } } },
        }),
      (row) => row?.state === 'delivered',
    );
    expect(delivery?.attempts).toBe(3);
    expect(delivery?.attemptsMade.map((attempt) => attempt.statusCode)).toEqual([500, 503, 200]);
    for (const attempt of delivery?.attemptsMade ?? []) {
      expect(attempt.latencyMs).toBeGreaterThanOrEqual(0);
      expect(attempt.attemptedAt).toBeInstanceOf(Date);
    }
    expect(delivery?.attemptsMade.map((attempt) => attempt.error)).toEqual(['HTTP 500', 'HTTP 503', '']);
    // Backoff: the second retry waited longer than the first.
    const [a, b, c] = (delivery?.attemptsMade ?? []).map((attempt) => attempt.attemptedAt.getTime());
    expect((c ?? 0) - (b ?? 0)).toBeGreaterThan(((b ?? 0) - (a ?? 0)) / 2);
    expect((b ?? 0) - (a ?? 0)).toBeGreaterThanOrEqual(900);

    // Give a stray duplicate time to show up: there must be exactly one success.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const hits = received.filter((entry) => entry.path === path);
    expect(hits.map((entry) => entry.status)).toEqual([500, 503, 200]);
    const body = hits[2]?.body ?? {};
    expect(body).toMatchObject({ event: 'initial_sync_completed', account_id: source.accountId, status: 'OK' });
    expect(isValidCallbackSignature(developer.secret, body as never)).toBe(true);
    // Every attempt sends the same signed body.
    expect(hits[0]?.body).toEqual(body);
  });

  it('housekeeping queues the sync of a source that never got one, and the worker runs it', async () => {
    // As when the job queue was unreachable at sign-in: a source, no sync state, no job.
    const source = await connect({});
    expect(await database.db.sourceSync.findUnique({ where: { sourceId: source.sourceId } })).toBeNull();
    expect(await queueMissingSyncs(database.db)).toBeGreaterThanOrEqual(1);
    const state = await waitFor(
      'the sync queued by housekeeping',
      () => database.db.sourceSync.findUnique({ where: { sourceId: source.sourceId } }),
      (row) => row?.state === 'done',
    );
    expect(state?.messagesSynced).toBe(5);
    // Synced sources are left alone.
    const again = await database.db.source.count({ where: { id: source.sourceId, sync: { state: 'queued' } } });
    expect(again).toBe(0);
  });

  it('"sync now" asked for at once on a source that never synced queues one sync (one more behind a running one at most), without an error', async () => {
    const source = await connect({});
    const asked = await Promise.allSettled(
      Array.from({ length: 16 }, () => queueSourceSync(database.db, source.sourceId)),
    );
    expect(asked.filter((ask) => ask.status === 'rejected').map((ask) => String(ask.reason))).toEqual([]);
    // pg-boss "stately": one queued and one running sync per source. One of the asks queued it; when the
    // worker takes that job while others are still asking, one more may queue behind it, never a third.
    const queued = asked.filter((ask) => ask.status === 'fulfilled' && ask.value).length;
    expect(queued).toBeGreaterThanOrEqual(1);
    expect(queued).toBeLessThanOrEqual(2);
    const state = await waitFor(
      'the sync',
      () => database.db.sourceSync.findUnique({ where: { sourceId: source.sourceId } }),
      (row) => row?.state === 'done',
    );
    expect(state?.messagesSynced).toBe(5);
    expect(await database.db.message.count({ where: { sourceId: source.sourceId } })).toBe(5);
  });

  it('refuses callback URLs on private addresses unless MAILPORT_ALLOW_PRIVATE_HOSTS=1, and records why', async () => {
    const source = await connect({});
    const path = `/private-${kind}`;
    // A delivery row as storeCallback writes it, attempted by hand with the guard on (no worker sees it).
    const id = `private-${kind}-delivery`;
    await database.db.callbackDelivery.create({
      data: { id, sourceId: source.sourceId, url: `${receiverUrl}${path}`, event: 'status_changed', body: {} },
    });
    const outcome = await attemptCallbackDelivery(database.db, id, {
      allowPrivateHosts: false,
      isLastAttempt: false,
      now: () => new Date(),
    });
    expect(outcome).toMatchObject({ kind: 'failed', retryable: false });
    const row = await database.db.callbackDelivery.findUniqueOrThrow({
      where: { id },
      include: { attemptsMade: true },
    });
    expect(row.state).toBe('failed');
    expect(row.attemptsMade).toHaveLength(1);
    expect(row.attemptsMade[0]).toMatchObject({ statusCode: null, error: 'refused: private or local address' });
    expect(received.filter((entry) => entry.path === path)).toEqual([]);

    // The same delivery to the same address goes through where private hosts are allowed.
    await database.db.callbackDelivery.update({ where: { id }, data: { state: 'pending' } });
    const allowed = await attemptCallbackDelivery(database.db, id, {
      allowPrivateHosts: true,
      isLastAttempt: false,
      now: () => new Date(),
    });
    expect(allowed).toEqual({ kind: 'delivered' });
    expect(received.filter((entry) => entry.path === path)).toHaveLength(1);
  });

  it('a delivery is stored with its job or not at all: a job that cannot be queued takes the row and the change with it; a committed one is delivered', async () => {
    const source = await connect({});
    const path = `/stored-with-job-${kind}`;
    const row = (id: string) => ({
      id,
      sourceId: source.sourceId,
      url: `${receiverUrl}${path}`,
      event: 'status_changed' as const,
      body: { id },
    });
    const jobsFor = (id: string) =>
      database.db.$queryRawUnsafe<{ state: string }[]>(
        `SELECT state FROM pgboss.job WHERE data->>'deliveryId' = $1`,
        id,
      );

    // A change and its callback's row are written, then the job cannot be queued (an id the job's payload
    // refuses): nothing stays, the change included.
    const lost = `stored-with-job-${kind}-lost`;
    await expect(
      transactionWithDeliveries(database.db, async (tx, queueDelivery) => {
        await tx.source.update({
          where: { id: source.sourceId },
          data: { statusMessage: 'changed with its callback' },
        });
        await tx.callbackDelivery.create({ data: row(lost) });
        queueDelivery(lost);
        queueDelivery('');
      }),
    ).rejects.toThrow();
    expect(await database.db.callbackDelivery.findUnique({ where: { id: lost } })).toBeNull();
    expect(await jobsFor(lost)).toEqual([]);
    expect((await database.db.source.findUniqueOrThrow({ where: { id: source.sourceId } })).statusMessage).not.toBe(
      'changed with its callback',
    );

    const kept = `stored-with-job-${kind}-kept`;
    expect(
      await transactionWithDeliveries(database.db, async (tx, queueDelivery) => {
        await tx.callbackDelivery.create({ data: row(kept) });
        queueDelivery(kept);
        return [kept];
      }),
    ).toEqual([kept]);
    expect(await jobsFor(kept)).toHaveLength(1);
    await waitFor(
      'the delivery',
      () => database.db.callbackDelivery.findUniqueOrThrow({ where: { id: kept } }),
      (delivery) => delivery.state === 'delivered',
    );
    expect(received.filter((entry) => entry.path === path).map((entry) => entry.body)).toEqual([{ id: kept }]);
  });

  it('"retry now" on a failed delivery makes one attempt in a worker, and no retries of its own', async () => {
    const source = await connect({});
    const path = `/retry-now-${kind}`;
    script.set(path, [500]);
    const id = `retry-now-${kind}-delivery`;
    await database.db.callbackDelivery.create({
      data: { id, sourceId: source.sourceId, url: `${receiverUrl}${path}`, event: 'status_changed', body: {} },
    });
    await database.db.callbackDelivery.update({ where: { id }, data: { state: 'failed' } });
    const read = () => database.db.callbackDelivery.findUniqueOrThrow({ where: { id } });

    expect((await retryDeliveryNow(database.db, developer.developerId, id)).ok).toBe(true);
    await waitFor('the manual attempt', read, (row) => row.attempts === 1);
    // Failed again, and it stays at one attempt: the queue does not retry a manual attempt.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await read()).toMatchObject({ state: 'failed', attempts: 1 });

    script.set(path, [200]);
    expect((await retryDeliveryNow(database.db, developer.developerId, id)).ok).toBe(true);
    await waitFor('the delivery', read, (row) => row.state === 'delivered');
    expect((await read()).attempts).toBe(2);
    expect(received.filter((entry) => entry.path === path).map((entry) => entry.status)).toEqual([500, 200]);
  });
});

describe.each(testDatabaseKinds())('a worker that has just worked a job on %s', (kind) => {
  let database: TestDatabase;
  let queue: JobQueue;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    queue = await openJobQueue(database, { supervise: false });
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  it('fetches the next queued job at once instead of waiting its polling interval', async () => {
    const key = await createDeveloperKey(database.db, { email: `burst-${kind}@example.com`, appName: 'Burst' });
    const source = await connectLocalMailbox(database.db, key.developerId, {
      email: 'jobs@mailport.test',
      password: PASSWORD,
      port: dovecot.port,
    });
    const path = `/burst-${kind}`;
    const ids = Array.from({ length: 6 }, (_, i) => `burst-${kind}-${i}`);
    for (const id of ids) {
      await database.db.callbackDelivery.create({
        data: {
          id,
          sourceId: source.sourceId,
          url: `${receiverUrl}${path}`,
          event: 'initial_sync_completed',
          body: {},
        },
      });
      await enqueueCallbackDelivery(database.db, { deliveryId: id });
    }
    // One delivery slot polling every minute: before the fix the slot rested a minute after each job.
    await startWorkers(database.db, queue, {
      allowPrivateHosts: true,
      syncJobTimeoutSeconds: 60,
      syncConcurrency: 1,
      callbackConcurrency: 1,
      pollingIntervalSeconds: 60,
      backToBack: true,
    });
    await waitFor(
      'all six deliveries',
      async () => received.filter((request) => request.path === path).length,
      (count) => count === ids.length,
      30_000,
    );
  });
});
