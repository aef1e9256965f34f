import { purgeExpiredConnectTokens } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { purgeOldNonces } from '@/lib/developers/mutations';
import { purgeExpiredSessions } from '@/lib/sessions/mutations';

/** Housekeeping that keeps the database small: expired unused tokens, stale OAuth nonces, ended dashboard sessions. */
export async function runMaintenance(db: Db, now: Date) {
  const [connectTokens, nonces, sessions] = await Promise.all([
    purgeExpiredConnectTokens(db, now),
    purgeOldNonces(db, now),
    // Dashboard sessions and reset links live on real time, not the movable test clock.
    purgeExpiredSessions(db, new Date()),
  ]);
  return { purged_connect_tokens: connectTokens, purged_nonces: nonces, purged_dashboard_sessions: sessions };
}
