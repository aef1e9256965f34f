import { requeueStrandedDeliveries } from '@/lib/callbacks/mutations';
import { purgeExpiredConnectTokens } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { purgeOldNonces } from '@/lib/developers/mutations';
import { queueMissingSyncs } from '@/lib/mailbox-sync/mutations';
import { purgeExpiredRateLimits } from '@/lib/rate-limits/mutations';
import { purgeExpiredSessions } from '@/lib/sessions/mutations';
import { sweepMessageArrivals } from '@/lib/webhooks/delivery';

/**
 * Housekeeping: expired unused tokens, stale OAuth nonces, ended dashboard
 * sessions and guessing counters whose window has ended go, and any source
 * whose sync was never queued (or whose job was lost) gets one. New mail a
 * sync stored but did not get to match against the webhooks is matched, and
 * a delivery whose job was lost is queued again.
 */
export async function runMaintenance(db: Db, now: Date) {
  const realNow = new Date();
  const [connectTokens, nonces, sessions, rateLimits] = await Promise.all([
    purgeExpiredConnectTokens(db, now),
    purgeOldNonces(db, now),
    // Dashboard sessions and reset links live on real time, not the movable test clock.
    purgeExpiredSessions(db, realNow),
    // Connect-flow counters run on the domain clock, dashboard ones on real time: the earlier of the two ends neither early.
    purgeExpiredRateLimits(db, now < realNow ? now : realNow),
  ]);
  const syncs = await queueMissingSyncs(db);
  const webhookDeliveries = await sweepMessageArrivals(db, now);
  const strandedDeliveries = await requeueStrandedDeliveries(db, now);
  return {
    purged_connect_tokens: connectTokens,
    purged_nonces: nonces,
    purged_dashboard_sessions: sessions,
    purged_rate_limit_counters: rateLimits,
    queued_syncs: syncs,
    queued_webhook_deliveries: webhookDeliveries,
    requeued_stranded_deliveries: strandedDeliveries,
  };
}
