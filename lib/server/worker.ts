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

  // pg-boss 10 runs one job at a time per work() call: several calls make a pool.
  for (let i = 0; i < (options.syncConcurrency ?? 2); i++) await queue.work(JOBS.sourceSync.name, work, syncOne);
  for (let i = 0; i < (options.callbackConcurrency ?? 4); i++) {
    await queue.work(JOBS.callbackDelivery.name, work, deliverOne);
  }
  await queue.work(JOBS.maintenance.name, work, async () => runMaintenance(db, currentTime()));
}
