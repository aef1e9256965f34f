'use server';

import { redirect } from 'next/navigation';
import { retryDeliveryNow } from '@/lib/callbacks/mutations';
import { requestSourceSync } from '@/lib/mailbox-sync/mutations';
import { findSource } from '@/lib/sources/data';
import { isStorableText } from '@/lib/validation/fields';
import { text } from '../../../../_shared/read';
import { guardAction } from '../../../../_shared/session';

const sourcePath = (accountId: string, label: string) =>
  `/dashboard/accounts/${encodeURIComponent(accountId)}/sources/${encodeURIComponent(label)}`;

/** "Re-run a sync": the same domain call as POST /2.0/accounts/:id/sources/:label/sync. */
export async function rerunSync(accountId: string, label: string, formData: FormData): Promise<void> {
  const path = sourcePath(accountId, label);
  const guard = await guardAction(formData);
  if (!guard.ok) redirect(`${path}?notice=expired`);
  const { db, developerId } = guard.context;
  const source = await findSource(db, developerId, accountId, label);
  if (!source) redirect(path);
  const queued = await requestSourceSync(db, source);
  redirect(`${path}?notice=${queued ? 'sync-queued' : 'sync-waiting'}`);
}

/** "Retry now" on one callback delivery of one of the developer's sources. */
export async function retryDelivery(accountId: string, label: string, formData: FormData): Promise<void> {
  const path = sourcePath(accountId, label);
  const guard = await guardAction(formData);
  if (!guard.ok) redirect(`${path}?notice=expired`);
  const { db, developerId } = guard.context;
  const deliveryId = text(formData, 'deliveryId') ?? '';
  // An id with a NUL cannot exist (and PostgreSQL would refuse to compare it).
  if (!isStorableText(deliveryId)) redirect(`${path}?notice=retry-gone#callbacks-heading`);
  const result = await retryDeliveryNow(db, developerId, deliveryId);
  redirect(
    `${path}?notice=${result.ok ? 'retry-queued' : result.reason === 'already_delivered' ? 'retry-delivered' : 'retry-gone'}#callbacks-heading`,
  );
}
