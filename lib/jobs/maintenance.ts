import { purgeExpiredConnectTokens } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { purgeOldNonces } from '@/lib/developers/mutations';

/** Housekeeping that keeps the database small: expired unused tokens and stale OAuth nonces. */
export async function runMaintenance(db: Db, now: Date) {
  const [connectTokens, nonces] = await Promise.all([purgeExpiredConnectTokens(db, now), purgeOldNonces(db, now)]);
  return { purged_connect_tokens: connectTokens, purged_nonces: nonces };
}
