import { purgeExpiredConnectTokens } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { purgeOldNonces } from '@/lib/developers/mutations';
import { queueMissingSyncs } from '@/lib/mailbox-sync/mutations';
import type { JobQueue } from './queue';

/**
 * Housekeeping: expired unused tokens and stale OAuth nonces go, and any source
 * whose sync was never queued (or whose job was lost) gets one.
 */
export async function runMaintenance(db: Db, queue: JobQueue, now: Date) {
  const [connectTokens, nonces] = await Promise.all([purgeExpiredConnectTokens(db, now), purgeOldNonces(db, now)]);
  const syncs = await queueMissingSyncs(db, queue);
  return { purged_connect_tokens: connectTokens, purged_nonces: nonces, queued_syncs: syncs };
}
