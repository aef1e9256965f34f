import { createServer } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConnectToken, redeemConnectToken } from '@/lib/connect-tokens/mutations';
import { createConnectTokenInput } from '@/lib/connect-tokens/schema';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { JOBS } from '@/lib/jobs/definitions';
import { type JobQueue, openJobQueue } from '@/lib/jobs/queue';
import { findDelivery, listSourceDeliveries } from './data';
import { attemptCallbackDelivery, requeueStrandedDeliveries, retryDeliveryNow } from './mutations';
import type { DeliveryState } from './schema';

/** "Retry now" and the dashboard's delivery reads, scoped by developer, on PGlite and PostgreSQL. */

describe.each(testDatabaseKinds())('callback deliveries on %s', (kind) => {
  let database: TestDatabase;
  let queue: JobQueue;
  let owner: string;
  let stranger: string;
  let sourceId: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    // No workers: the test reads the jobs it queues.
    queue = await openJobQueue(database, { supervise: false });
    owner = (await createDeveloperKey(database.db, { email: `owner-${kind}@example.com`, appName: 'Owner' }))
      .developerId;
    stranger = (await createDeveloperKey(database.db, { email: `other-${kind}@example.com`, appName: 'Other' }))
      .developerId;
    const now = new Date();
    const created = await createConnectToken(
      database.db,
      owner,
      { level: 'top' },
      createConnectTokenInput.parse({ callback_url: 'https://partner.example.com/done' }),
      now,
    );
    if (!created.ok) throw new Error(created.reason);
    const redeemed = await redeemConnectToken(
      database.db,
      created.token,
      {
        mailbox: {
          email: 'cb@example.com',
          server: 'imap.example.com',
          port: 993,
          tlsMode: 'TLS',
          username: 'cb@example.com',
          authenticationType: 'password',
          secret: 'pw',
        },
      },
      now,
    );
    if (!redeemed.ok) throw new Error(redeemed.reason);
    sourceId = redeemed.sourceId;
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  const addDelivery = (id: string, state: DeliveryState, createdAt = new Date()) =>
    database.db.callbackDelivery.create({
      data: {
        id: `${kind}-${id}`,
        sourceId,
        url: 'https://partner.example.com/cb',
        event: 'initial_sync_completed',
        body: { ok: id },
        state,
        createdAt,
      },
    });
  const fetchJobs = async () =>
    ((await queue.fetch(JOBS.callbackDelivery.name, { batchSize: 10 })) ?? []).map((job) => job.data);

  it("another developer's delivery and a missing one are not found, and nothing is queued", async () => {
    const delivery = await addDelivery('foreign', 'failed');
    expect(await retryDeliveryNow(database.db, stranger, delivery.id)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await retryDeliveryNow(database.db, owner, 'no-such-delivery')).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await findDelivery(database.db, stranger, delivery.id)).toBeNull();
    expect((await listSourceDeliveries(database.db, stranger, sourceId, { offset: 0, limit: 20 })).total).toBe(0);
    expect((await database.db.callbackDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).state).toBe('failed');
    expect(await fetchJobs()).toEqual([]);
  });

  it('a failed delivery goes back to pending for one attempt that gives up again on failure', async () => {
    const delivery = await addDelivery('failed', 'failed');
    expect(await retryDeliveryNow(database.db, owner, delivery.id)).toEqual({
      ok: true,
      deliveryId: delivery.id,
    });
    expect((await database.db.callbackDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).state).toBe(
      'pending',
    );
    expect(await fetchJobs()).toEqual([{ deliveryId: delivery.id, retryNow: { giveUpOnFailure: true } }]);
  });

  it('a pending delivery gets one extra attempt and keeps its scheduled retries; a delivered one is refused', async () => {
    const pending = await addDelivery('pending', 'pending');
    expect((await retryDeliveryNow(database.db, owner, pending.id)).ok).toBe(true);
    expect(await fetchJobs()).toEqual([{ deliveryId: pending.id, retryNow: { giveUpOnFailure: false } }]);
    const delivered = await addDelivery('delivered', 'delivered');
    expect(await retryDeliveryNow(database.db, owner, delivered.id)).toEqual({
      ok: false,
      reason: 'already_delivered',
    });
    expect(await fetchJobs()).toEqual([]);
  });

  it('lists a source’s deliveries newest first, a page at a time', async () => {
    const page = await listSourceDeliveries(database.db, owner, sourceId, { offset: 0, limit: 2 });
    expect(page.total).toBe(4); // the race test's delivery comes after
    expect(page.deliveries).toHaveLength(2);
    const all = await listSourceDeliveries(database.db, owner, sourceId, { offset: 0, limit: 20 });
    const times = all.deliveries.map((delivery) => delivery.createdAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.deliveries[0]?.attemptsMade).toEqual([]);
  });

  it('two attempts at once (a retry now beside a scheduled retry) make one POST', async () => {
    let posts = 0;
    const receiver = createServer((request, response) => {
      posts++;
      request.resume();
      setTimeout(() => response.writeHead(200).end('ok'), 300);
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = receiver.address() as { port: number };
      const delivery = await addDelivery('race', 'pending');
      await database.db.callbackDelivery.update({
        where: { id: delivery.id },
        data: { url: `http://127.0.0.1:${port}/race` },
      });
      const attempt = () =>
        attemptCallbackDelivery(database.db, delivery.id, {
          allowPrivateHosts: true,
          isLastAttempt: false,
          now: () => new Date(),
        });
      const outcomes = await Promise.all([attempt(), attempt()]);
      expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['busy', 'delivered']);
      expect(posts).toBe(1);
      const row = await database.db.callbackDelivery.findUniqueOrThrow({ where: { id: delivery.id } });
      expect(row).toMatchObject({ state: 'delivered', attempts: 1, sendingUntil: null });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });

  it('housekeeping queues again a delivery whose job was lost, once, and leaves tried and recent ones alone', async () => {
    await fetchJobs(); // what earlier tests left queued
    const now = new Date();
    const longAgo = new Date(now.getTime() - 11 * 60_000);
    const stranded = await addDelivery('stranded', 'pending', longAgo);
    await addDelivery('recent', 'pending', new Date(now.getTime() - 60_000));
    const tried = await addDelivery('tried', 'pending', longAgo);
    await database.db.callbackDelivery.update({ where: { id: tried.id }, data: { attempts: 1 } });
    await addDelivery('old-delivered', 'delivered', longAgo);
    await addDelivery('old-failed', 'failed', longAgo);

    expect(await requeueStrandedDeliveries(database.db, now)).toBe(1);
    expect(await fetchJobs()).toEqual([{ deliveryId: stranded.id }]);
    // The next housekeeping round (a minute later) does not queue it a second time.
    expect(await requeueStrandedDeliveries(database.db, new Date(now.getTime() + 60_000))).toBe(0);
    expect(await fetchJobs()).toEqual([]);
  });
});
