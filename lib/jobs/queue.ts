import type { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import { type Db, getDbTarget, isProcessDb, openProcessDb } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import type { MigrationTarget } from '@/lib/db/migrations';
import {
  type CallbackDeliveryPayload,
  JOBS,
  jobPolicies,
  MAINTENANCE_CRON,
  type SourceSyncPayload,
} from './definitions';

/**
 * The job queue: pg-boss on the same database as everything else, so jobs
 * survive restarts and any number of workers can share them. On PGlite it runs
 * on the one in-process connection; on PostgreSQL it has a small pool of its own.
 *
 * A queue belongs to a database: domains enqueue with the `Db` they already
 * hold (`enqueueSourceSync(db, …)`) and never see the queue. The process's
 * database gets the process's queue; a test binds its own with `openJobQueue`.
 */
export type JobQueue = PgBoss;

export interface JobQueueOptions {
  /** Workers and the process that keeps schedules and expires timed-out jobs. */
  supervise: boolean;
  /** How often timed-out jobs are looked for (pg-boss maintenance). */
  maintenanceIntervalSeconds?: number;
}

/** The database a queue lives in: its Prisma client (what domains hold) and its connection. */
export interface QueueDatabase {
  db: Db;
  target: MigrationTarget;
}

/**
 * pg-boss's `db` option on PGlite. PGlite runs one statement at a time and
 * waits for an open transaction, so Prisma and pg-boss can share it. Statements
 * without parameters may be several at once (pg-boss's migrations and locked
 * maintenance): those go through exec(), which returns one result per statement, like pg.
 */
function pgliteExecutor(pglite: PGlite): PgBoss.Db {
  return {
    async executeSql(text, values) {
      if (values && values.length > 0) return pglite.query(text, values);
      const results = await pglite.exec(text);
      // pg answers one statement with its result and several with an array; pg-boss expects the same.
      return (results.length === 1 ? results[0] : results) as unknown as { rows: unknown[] };
    },
  };
}

/** Creates the missing queues and, in supervising processes, the schedule. */
async function registerQueues(queue: JobQueue, options: { supervise: boolean }): Promise<void> {
  const existing = new Set((await queue.getQueues()).map((found) => found.name));
  for (const [name, policy] of Object.entries(jobPolicies())) {
    if (!existing.has(name)) await createQueueOnce(queue, name, policy);
  }
  if (options.supervise) await queue.schedule(JOBS.maintenance.name, MAINTENANCE_CRON, {});
}

const DEADLOCK_DETECTED = '40P01';

/**
 * pg-boss's create_queue adds a partition to its job table: processes creating queues at the
 * same moment (workers started together on a new database) can deadlock, and PostgreSQL ends
 * one of them. That one's transaction was rolled back whole, so it tries again (the queue is
 * then usually there: create_queue does nothing for an existing one).
 */
async function createQueueOnce(queue: JobQueue, name: string, policy: Omit<PgBoss.Queue, 'name'>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await queue.createQueue(name, { ...policy, name });
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== DEADLOCK_DETECTED || attempt === 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 100 * attempt));
    }
  }
}

// Which queue each open database enqueues on. Weak: a closed test database takes its entry with it.
// On globalThis because Next.js may load this module in several bundles (see lib/db/client.ts).
const globalForQueue = globalThis as unknown as { __mailportQueues?: WeakMap<Db, Promise<JobQueue>> };
globalForQueue.__mailportQueues ??= new WeakMap();
const queues = globalForQueue.__mailportQueues;

/** Opens a queue on the database and makes it the one that database's enqueues go to. */
export function openJobQueue(database: QueueDatabase, options: JobQueueOptions): Promise<JobQueue> {
  return bindQueue(database.db, startPgBoss(database.target, options));
}

function bindQueue(db: Db, opening: Promise<JobQueue>): Promise<JobQueue> {
  queues.set(db, opening);
  // A failed open must not be kept: the next enqueue tries again.
  opening.catch(() => {
    if (queues.get(db) === opening) queues.delete(db);
  });
  return opening;
}

async function startPgBoss(target: MigrationTarget, options: JobQueueOptions): Promise<JobQueue> {
  const common = {
    supervise: options.supervise,
    schedule: options.supervise,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds ?? 60,
    // Completed jobs are history nobody reads: keep them a day, not pg-boss's default week.
    deleteAfterDays: 1,
  };
  const boss =
    target.kind === 'pglite'
      ? new PgBoss({ ...common, db: pgliteExecutor(target.pglite) })
      : new PgBoss({ ...common, connectionString: target.connectionString, max: 4 });
  boss.on('error', (error: Error) => console.error(`job queue: ${error.message}`));
  await boss.start();
  await registerQueues(boss, { supervise: options.supervise });
  return boss;
}

/**
 * The queue of the database `db`. The process's database opens a send-only
 * queue on first use unless `startJobQueue` already opened it as a worker
 * (embedded mode, `npm run worker`); any other database must have one bound.
 */
function jobQueueFor(db: Db): Promise<JobQueue> {
  const bound = queues.get(db);
  if (bound) return bound;
  if (!isProcessDb(db)) throw new Error('no job queue is open on this database (openJobQueue binds one)');
  // Bound before the first await, so concurrent first sends share one queue.
  return bindQueue(
    db,
    getDbTarget().then((target) => startPgBoss(target, { supervise: false })),
  );
}

export interface StartJobQueueOptions extends Omit<JobQueueOptions, 'supervise'> {
  /** pg-boss starts once this settles: start-up lets more urgent work (readiness) go first. */
  startAfter?: Promise<unknown>;
}

/**
 * Opens the process's queue as a supervising one; call after getDb() and before
 * anything sends. The queue is bound at once, so a send made while pg-boss is
 * still starting waits for this queue rather than opening a second, send-only one.
 */
export function startJobQueue({ startAfter, ...options }: StartJobQueueOptions = {}): Promise<JobQueue> {
  const db = openProcessDb();
  if (!db) return Promise.reject(new Error('the job queue needs the open database (getDb) first'));
  if (queues.has(db)) return Promise.reject(new Error('the job queue is already open in this process'));
  return bindQueue(
    db,
    Promise.resolve(startAfter)
      .then(() => getDbTarget())
      .then((target) => startPgBoss(target, { ...options, supervise: true })),
  );
}

/** Stops the process's queue (if it was opened). */
export async function stopJobQueue(): Promise<void> {
  const db = openProcessDb();
  if (!db) return;
  const opening = queues.get(db);
  queues.delete(db);
  // Graceful: running jobs get up to 20 s to finish; an unfinished one is retried after it times out.
  if (opening) await (await opening).stop({ graceful: true, close: true, wait: true, timeout: 20_000 });
}

const sendOptions = (name: keyof ReturnType<typeof jobPolicies>) => {
  const { policy: _policy, ...options } = jobPolicies()[name];
  return options;
};

/** Queues a sync of the source; a no-op (false) when one is already queued. */
export async function enqueueSourceSync(db: Db, payload: SourceSyncPayload): Promise<boolean> {
  const data = JOBS.sourceSync.payload.parse(payload);
  const queue = await jobQueueFor(db);
  const id = await queue.send(JOBS.sourceSync.name, data, {
    ...sendOptions(JOBS.sourceSync.name),
    singletonKey: data.sourceId,
  });
  return id !== null;
}

/**
 * Runs `work` in one transaction together with the first attempts of the callback deliveries it stores:
 * `work` writes the rows with `tx` and names each with `queueDelivery`, and their jobs are inserted in
 * that same transaction, so a delivery is never stored without its job, nor a change (a status, a sync's
 * end) without the callback that announces it. (Queued after the commit, a process that ended between
 * the two left a stored delivery that only housekeeping's stranded pass found, ten minutes or more later,
 * and a change whose callback was never stored at all.)
 */
export async function transactionWithDeliveries<T>(
  db: Db,
  work: (tx: Prisma.TransactionClient, queueDelivery: (deliveryId: string) => void) => Promise<T>,
): Promise<T> {
  // Opened before the transaction: opening pg-boss queries the database (on PGlite, the one connection).
  // A database with no queue of its own (a test's) is fine as long as the work queues nothing.
  const bound = queues.get(db);
  const queue = bound ? await bound : isProcessDb(db) ? await jobQueueFor(db) : null;
  const options = sendOptions(JOBS.callbackDelivery.name);
  return db.$transaction(async (tx) => {
    const deliveryIds: string[] = [];
    const result = await work(tx, (deliveryId) => deliveryIds.push(deliveryId));
    if (deliveryIds.length > 0) {
      if (!queue) throw new Error('no job queue is open on this database (openJobQueue binds one)');
      const jobs = deliveryIds.map((deliveryId) => ({
        name: JOBS.callbackDelivery.name,
        data: JOBS.callbackDelivery.payload.parse({ deliveryId }),
        ...options,
      }));
      await queue.insert(jobs, { db: transactionExecutor(tx) });
    }
    return result;
  });
}

/** pg-boss's `db` option inside a Prisma transaction: its statements join the transaction. */
function transactionExecutor(tx: Prisma.TransactionClient): PgBoss.Db {
  return {
    async executeSql(text, values) {
      // pg-boss passes its unset defaults as undefined; SQL has NULL.
      const rows = await tx.$queryRawUnsafe<unknown[]>(text, ...(values ?? []).map((value) => value ?? null));
      return { rows };
    },
  };
}

/**
 * Queues the next attempt at a persisted callback delivery. With `onceWithinSeconds`,
 * a second send for the same delivery within that time adds nothing (false).
 */
export async function enqueueCallbackDelivery(
  db: Db,
  payload: CallbackDeliveryPayload,
  { onceWithinSeconds }: { onceWithinSeconds?: number } = {},
): Promise<boolean> {
  const data = JOBS.callbackDelivery.payload.parse(payload);
  const options = sendOptions(JOBS.callbackDelivery.name);
  const queue = await jobQueueFor(db);
  const id = await queue.send(JOBS.callbackDelivery.name, data, {
    ...options,
    ...(data.retryNow && { retryLimit: 0 }),
    ...(onceWithinSeconds && { singletonKey: data.deliveryId, singletonSeconds: onceWithinSeconds }),
  });
  return id !== null;
}
