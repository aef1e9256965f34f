import type { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import { getDbTarget } from '@/lib/db/client';
import type { MigrationTarget } from '@/lib/db/migrations';
import { registerQueues } from './definitions';

/**
 * The job queue: pg-boss on the same database as everything else, so jobs
 * survive restarts and any number of workers can share them. On PGlite it runs
 * on the one in-process connection; on PostgreSQL it has a small pool of its own.
 */

export type JobQueue = PgBoss;

export interface JobQueueOptions {
  /** Workers and the process that keeps schedules and expires timed-out jobs. */
  supervise: boolean;
  /** How often timed-out jobs are looked for (pg-boss maintenance). */
  maintenanceIntervalSeconds?: number;
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

export async function openJobQueue(target: MigrationTarget, options: JobQueueOptions): Promise<JobQueue> {
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

// One queue per process, beside the one database (see lib/db/client.ts).
const globalForQueue = globalThis as unknown as { __mailportQueue?: Promise<JobQueue> };

/**
 * The process's queue. It only sends jobs unless `startJobQueue` already opened
 * it as a supervising worker (embedded mode, `npm run worker`).
 */
export function getJobQueue(): Promise<JobQueue> {
  globalForQueue.__mailportQueue ??= getDbTarget().then((target) => openJobQueue(target, { supervise: false }));
  return globalForQueue.__mailportQueue;
}

/** Opens the process's queue as a supervising one; call before anything sends. */
export function startJobQueue(options: Omit<JobQueueOptions, 'supervise'> = {}): Promise<JobQueue> {
  if (globalForQueue.__mailportQueue) throw new Error('the job queue is already open in this process');
  globalForQueue.__mailportQueue = getDbTarget().then((target) =>
    openJobQueue(target, { ...options, supervise: true }),
  );
  return globalForQueue.__mailportQueue;
}

export async function stopJobQueue(): Promise<void> {
  const opening = globalForQueue.__mailportQueue;
  globalForQueue.__mailportQueue = undefined;
  // Graceful: running jobs get up to 20 s to finish; an unfinished one is retried after it times out.
  if (opening) await (await opening).stop({ graceful: true, close: true, wait: true, timeout: 20_000 });
}
