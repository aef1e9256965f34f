import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { JOBS } from './definitions';
import { enqueueSourceSync, type JobQueue, openJobQueue } from './queue';

/**
 * Domains enqueue with the Db they hold: each database's jobs go to the queue
 * opened on it, never to another database's, and a database with no queue is an error.
 */
describe.each(testDatabaseKinds())('the queue of a database on %s', (kind) => {
  let first: TestDatabase;
  let second: TestDatabase;
  let firstQueue: JobQueue;
  let secondQueue: JobQueue;

  beforeAll(async () => {
    [first, second] = await Promise.all([openTestDatabase(kind), openTestDatabase(kind)]);
  });
  afterAll(async () => {
    for (const queue of [firstQueue, secondQueue]) await queue?.stop({ graceful: false, close: true, wait: true });
    await Promise.all([first?.close(), second?.close()]);
  });

  const queued = async (queue: JobQueue) =>
    ((await queue.fetch(JOBS.sourceSync.name, { batchSize: 50 })) ?? []).map((job) => job.data);

  it('refuses to enqueue on a database no queue is open on', async () => {
    await expect(enqueueSourceSync(first.db, { sourceId: 'orphan' })).rejects.toThrow(/no job queue is open/);
  });

  it("sends each database's jobs to its own queue, many at once", async () => {
    firstQueue = await openJobQueue(first, { supervise: false });
    secondQueue = await openJobQueue(second, { supervise: false });
    const ids = Array.from({ length: 20 }, (_, i) => `source-${i}`);
    const sent = await Promise.all(
      ids.map((sourceId, i) => enqueueSourceSync(i % 2 === 0 ? first.db : second.db, { sourceId })),
    );
    expect(sent.every(Boolean)).toBe(true);
    const inFirst = (await queued(firstQueue)).map((data) => (data as { sourceId: string }).sourceId).sort();
    const inSecond = (await queued(secondQueue)).map((data) => (data as { sourceId: string }).sourceId).sort();
    expect(inFirst).toEqual(ids.filter((_, i) => i % 2 === 0).sort());
    expect(inSecond).toEqual(ids.filter((_, i) => i % 2 === 1).sort());
  });

  it('rejects a payload that breaks the job contract before anything is sent', async () => {
    await expect(enqueueSourceSync(first.db, { sourceId: '' })).rejects.toThrow();
    expect(await queued(firstQueue)).toEqual([]);
  });
});

/**
 * Workers started together (an operator's `docker compose up --scale worker=4`) each create the
 * queues on a database that has none yet: pg-boss's create_queue takes table locks, and two at
 * once could deadlock, ending one worker at start-up ("deadlock detected", exit 1).
 */
describe.runIf(testDatabaseKinds().includes('postgres'))('queues opened at once on a new PostgreSQL database', () => {
  it('all open', async () => {
    const database = await openTestDatabase('postgres');
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, () => openJobQueue(database, { supervise: false })),
    );
    for (const result of results) {
      if (result.status === 'fulfilled') await result.value.stop({ graceful: false, close: true, wait: true });
    }
    await database.close();
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
  });
});
