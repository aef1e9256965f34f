import { currentTime } from '@/lib/clock';
import type { Db } from '@/lib/db/client';
import { queueWebhookDeliveries } from '@/lib/webhooks/delivery';

/**
 * What a sync tells the rest of Mailport. Called once messages new since the
 * source's initial sync are stored (committed). Their arrival rows (the outbox
 * written with them) make sure a crash before this call loses nothing: the
 * maintenance sweep matches what was left.
 */
export async function onMessagesArrived(
  db: Db,
  arrived: { accountId: string; sourceId: string; messageIds: string[] },
): Promise<void> {
  if (arrived.messageIds.length === 0) return;
  await queueWebhookDeliveries(db, arrived, currentTime());
}
