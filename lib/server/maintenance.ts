import { purgeExpiredConnectTokens } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { purgeOldNonces } from '@/lib/developers/mutations';
import { queueMissingSyncs } from '@/lib/mailbox-sync/mutations';
import { purgeExpiredSessions } from '@/lib/sessions/mutations';

/**
 * Housekeeping: expired unused tokens, stale OAuth nonces and ended dashboard
 * sessions go, and any source whose sync was never queued (or whose job was lost) gets one.
 */
export async function runMaintenance(db: Db, now: Date) {
  const [connectTokens, nonces, sessions] = await Promise.all([
    purgeExpiredConnectTokens(db, now),
    purgeOldNonces(db, now),
    // Dashboard sessions and reset links live on real time, not the movable test clock.
    purgeExpiredSessions(db, new Date()),
  ]);
  const syncs = await queueMissingSyncs(db);
  return {
    purged_connect_tokens: connectTokens,
    purged_nonces: nonces,
    purged_dashboard_sessions: sessions,
    queued_syncs: syncs,
  };
}
