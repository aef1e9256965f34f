import { currentTime } from '@/lib/clock';
import type { Db } from '@/lib/db/client';
import { queueWebhookChangeDeliveries, queueWebhookDeliveries } from '@/lib/webhooks/delivery';

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

/**
 * Flags changed or messages expunged on the server, committed with their
 * `message_changes` rows (the outbox, written only while a receive_all_changes
 * webhook exists): matched now; what a crash leaves, the sweep matches.
 */
export async function onMessagesChanged(
  db: Db,
  changed: { accountId: string; sourceId: string; changeIds: string[] },
): Promise<void> {
  if (changed.changeIds.length === 0) return;
  await queueWebhookChangeDeliveries(db, changed.changeIds, currentTime());
}
