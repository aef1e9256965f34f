import { z } from 'zod';
import { getConfig } from '@/lib/env';

/**
 * Every job: its name, payload schema and retry policy, in one registry.
 * Domain code enqueues only through the typed functions in ./queue.ts; the
 * handlers live in lib/server/worker.ts, so this module imports no domain code
 * (and nothing from ./queue.ts: the queue depends on the definitions, not back).
 */

export const JOBS = {
  sourceSync: {
    name: 'source-sync',
    payload: z.object({ sourceId: z.string().min(1) }),
  },
  callbackDelivery: {
    name: 'callback-delivery',
    payload: z.object({
      deliveryId: z.string().min(1),
      /** A single attempt asked for in the dashboard ("Retry now"): never retried by the queue. */
      retryNow: z.object({ giveUpOnFailure: z.boolean() }).optional(),
    }),
  },
  maintenance: {
    name: 'maintenance',
    payload: z.object({}),
  },
} as const;

export type SourceSyncPayload = z.infer<typeof JOBS.sourceSync.payload>;
export type CallbackDeliveryPayload = z.infer<typeof JOBS.callbackDelivery.payload>;

/** Attempts at a callback before it is given up (the first one included). */
export const CALLBACK_MAX_ATTEMPTS = 8;
/** A sync that fails for a transient reason (server unreachable) is retried this often. */
export const SYNC_RETRY_LIMIT = 6;
/** Housekeeping (expired tokens, old nonces, pg-boss's own), every five minutes. */
export const MAINTENANCE_CRON = '*/5 * * * *';

/** pg-boss options per queue; sent with every job so a changed setting applies at once. */
export function jobPolicies() {
  const { jobs } = getConfig();
  return {
    // One queued and one running sync per source (pg-boss "stately"): a re-sync asked for
    // during a sync runs once after it; more requests meanwhile add nothing.
    [JOBS.sourceSync.name]: {
      policy: 'stately',
      retryLimit: SYNC_RETRY_LIMIT,
      // Soon after a crash is noticed (the timeout), then backing off.
      retryDelay: Math.min(30, Math.ceil(jobs.syncJobTimeoutSeconds / 4)),
      retryBackoff: true,
      expireInSeconds: jobs.syncJobTimeoutSeconds,
    },
    [JOBS.callbackDelivery.name]: {
      policy: 'standard',
      retryLimit: CALLBACK_MAX_ATTEMPTS - 1,
      retryDelay: jobs.callbackRetrySeconds,
      retryBackoff: true,
      // A delivery is one HTTP request with a 10 s timeout.
      expireInSeconds: 60,
    },
    [JOBS.maintenance.name]: { policy: 'standard', retryLimit: 0, expireInSeconds: 300 },
  } satisfies Record<string, Omit<import('pg-boss').Queue, 'name'>>;
}
