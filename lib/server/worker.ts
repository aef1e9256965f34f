import type PgBoss from 'pg-boss';
import { attemptCallbackDelivery } from '@/lib/callbacks/mutations';
import { currentTime } from '@/lib/clock';
import type { Db } from '@/lib/db/client';
import { JOBS } from '@/lib/jobs/definitions';
import { enqueueSourceSync, type JobQueue } from '@/lib/jobs/queue';
import { openMailboxSession } from '@/lib/mailbox-sync/imap';
import { runSourceSync } from '@/lib/mailbox-sync/run';
import { readWebhookContent, reportWebhookGaveUp } from '@/lib/webhooks/delivery';
import { runMaintenance } from './maintenance';

/**
 * The job handlers, wired to the domains here in the composition root (lib/jobs
 * knows only names, payloads and policies): each parses its payload with the registry's schema and
 * calls one domain function. A thrown error fails the job, and pg-boss retries
 * it with backoff as the registry's policy says.
 */

export interface WorkerOptions {
  allowPrivateHosts: boolean;
  syncJobTimeoutSeconds: number;
  /** Syncs run at once in this process (each holds one IMAP connection). */
  syncConcurrency?: number;
  callbackConcurrency?: number;
  pollingIntervalSeconds?: number;
  /** Fetch the next job as soon as one is done (see workPool); off, pg-boss waits its interval after each job. */
  backToBack?: boolean;
}

type Job<T> = PgBoss.JobWithMetadata<T>;
const isLastAttempt = (job: Job<unknown>) => job.retryCount >= job.retryLimit;

export async function startWorkers(db: Db, queue: JobQueue, options: WorkerOptions): Promise<void> {
  const work = {
    includeMetadata: true as const,
    batchSize: 1,
    pollingIntervalSeconds: options.pollingIntervalSeconds ?? 1,
  };

  const syncOne = async ([job]: Job<unknown>[]) => {
    if (!job) return;
    const { sourceId } = JOBS.sourceSync.payload.parse(job.data);
    const result = await runSourceSync(db, sourceId, {
      openSession: (login) => openMailboxSession(login, { allowPrivateHosts: options.allowPrivateHosts }),
      now: currentTime,
      // Half the job's timeout, so a live run is never taken for a crashed one.
      budgetMs: (options.syncJobTimeoutSeconds * 1000) / 2,
      isLastAttempt: isLastAttempt(job),
    });
    if (result.outcome === 'retry') throw new Error(`sync of source ${sourceId}: ${result.reason}`);
    if (result.outcome === 'continue') await enqueueSourceSync(db, { sourceId });
    return result;
  };

  const deliverOne = async ([job]: Job<unknown>[]) => {
    if (!job) return;
    const { deliveryId, retryNow } = JOBS.callbackDelivery.payload.parse(job.data);
    const outcome = await attemptCallbackDelivery(db, deliveryId, {
      allowPrivateHosts: options.allowPrivateHosts,
      // A manual attempt at a pending delivery leaves it pending: its scheduled retries carry on.
      isLastAttempt: retryNow ? retryNow.giveUpOnFailure : isLastAttempt(job),
      now: currentTime,
      completeBody: (id) => readWebhookContent(db, id),
    });
    // A webhook delivery given up marks its webhook failed and tells failure_notif_url (a no-op for callbacks).
    if (outcome.kind === 'failed' && outcome.gaveUp) {
      await reportWebhookGaveUp(db, deliveryId, currentTime()).catch((error: unknown) =>
        console.error(`webhooks: reporting delivery ${deliveryId} given up failed: ${String(error)}`),
      );
    }
    if (retryNow) return outcome;
    // A scheduled attempt that finds a "retry now" in flight tries again later.
    if (outcome.kind === 'busy') throw new Error(`callback ${deliveryId}: another attempt is in flight`);
    if (outcome.kind === 'failed' && outcome.retryable) throw new Error(`callback ${deliveryId}: ${outcome.error}`);
    return outcome;
  };

  const backToBack = options.backToBack ?? false;
  await workPool(queue, JOBS.sourceSync.name, options.syncConcurrency ?? 2, work, syncOne, backToBack);
  await workPool(queue, JOBS.callbackDelivery.name, options.callbackConcurrency ?? 4, work, deliverOne, backToBack);
  await queue.work(JOBS.maintenance.name, work, async () => runMaintenance(db, currentTime()));
}

/**
 * `slots` jobs of one queue at a time: pg-boss 10 runs one job at a time per
 * work() loop, so several loops make a pool. Each loop also waits its polling
 * interval after every job, found or not — one job a second per loop, whatever
 * the job's length (2 syncs and 4 deliveries a second per process, and a queue
 * of quick failures held new mailboxes' first syncs back for a minute). A loop
 * that has just worked a job is woken to fetch the next at once (`backToBack`,
 * as the app's workers run); only an empty queue waits the interval.
 */
async function workPool(
  queue: JobQueue,
  name: string,
  slots: number,
  options: PgBoss.WorkOptions & { includeMetadata: true },
  handler: (jobs: Job<unknown>[]) => Promise<unknown>,
  backToBack: boolean,
): Promise<void> {
  for (let i = 0; i < slots; i++) {
    let workerId: string | undefined;
    workerId = await queue.work(name, options, async (jobs: Job<unknown>[]) => {
      try {
        return await handler(jobs);
      } finally {
        if (backToBack && workerId && jobs.length > 0) queue.notifyWorker(workerId);
      }
    });
  }
}
