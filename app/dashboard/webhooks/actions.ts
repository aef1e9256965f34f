'use server';

import { redirect } from 'next/navigation';
import type { FormState } from '@/components/dashboard/fields';
import { findAccount } from '@/lib/accounts/data';
import { accountIdParam } from '@/lib/accounts/schema';
import { retryDeliveryNow } from '@/lib/callbacks/mutations';
import { privateCallbackUrlMessage } from '@/lib/callbacks/schema';
import { disallowedCallbackUrlMessage } from '@/lib/developers/schema';
import { getConfig } from '@/lib/env';
import { isStorableText } from '@/lib/validation/fields';
import { findAnyWebhook } from '@/lib/webhooks/data';
import { createWebhook, deleteWebhook, updateWebhook } from '@/lib/webhooks/mutations';
import { createWebhookInput, updateWebhookInput, webhookIdParam } from '@/lib/webhooks/schema';
import { formValues, invalidForm } from '../_shared/forms';
import { text } from '../_shared/read';
import { guardAction } from '../_shared/session';

/** Where a webhook is listed: its account's page, or the application's webhooks page. */
const listPath = (accountId: string | null) =>
  accountId ? `/dashboard/accounts/${encodeURIComponent(accountId)}` : '/dashboard/webhooks';

/** The dashboard's POST /2.0/webhooks (or …/accounts/:id/webhooks): same schema, same domain function, same messages. */
export async function createWebhookAction(_state: FormState, formData: FormData): Promise<FormState> {
  const guard = await guardAction(formData);
  if (!guard.ok) return { error: guard.message };
  const { db, developerId, now } = guard.context;
  const values = formValues(formData);
  const raw = Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'account'));
  const parsed = createWebhookInput.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, values, 'api');
  const accountId = text(formData, 'account') ?? null;
  if (accountId !== null) {
    const account = accountIdParam.safeParse(accountId).success ? await findAccount(db, developerId, accountId) : null;
    if (!account) return { error: 'This account does not exist.', values };
  }
  const created = await createWebhook(
    db,
    developerId,
    { accountId },
    parsed.data,
    {
      allowPrivateHosts: getConfig().allowPrivateHosts,
    },
    now,
  );
  if (!created.ok) {
    const message =
      created.reason === 'callback_url_private'
        ? privateCallbackUrlMessage(created.field, created.host)
        : disallowedCallbackUrlMessage(created.field, created.prefixes);
    return { error: message, fieldErrors: { [created.field]: message }, values };
  }
  redirect(`${listPath(accountId)}?notice=webhook-created#webhooks-heading`);
}

/** The form's webhook, looked up as the developer's own; null when it is not (a stale page, another tenant). */
async function ownedWebhookFrom(formData: FormData) {
  const guard = await guardAction(formData);
  if (!guard.ok) return { guard, webhook: null };
  const id = text(formData, 'webhookId') ?? '';
  const webhook =
    isStorableText(id) && webhookIdParam.safeParse(id).success
      ? await findAnyWebhook(guard.context.db, guard.context.developerId, id)
      : null;
  return { guard, webhook };
}

/** Pause or resume: the API's `active` (resuming also clears `failure`). */
export async function toggleWebhook(formData: FormData): Promise<void> {
  const { guard, webhook } = await ownedWebhookFrom(formData);
  if (!guard.ok) redirect('/dashboard/webhooks?notice=expired');
  if (!webhook) redirect('/dashboard/webhooks?notice=webhook-gone');
  const input = updateWebhookInput.parse({ active: text(formData, 'active') === '1' ? '1' : '0' });
  await updateWebhook(guard.context.db, webhook, input, { allowPrivateHosts: getConfig().allowPrivateHosts });
  redirect(
    `${listPath(webhook.accountId)}?notice=${input.active ? 'webhook-resumed' : 'webhook-paused'}#webhooks-heading`,
  );
}

export async function deleteWebhookAction(formData: FormData): Promise<void> {
  const { guard, webhook } = await ownedWebhookFrom(formData);
  if (!guard.ok) redirect('/dashboard/webhooks?notice=expired');
  if (!webhook) redirect('/dashboard/webhooks?notice=webhook-gone');
  await deleteWebhook(guard.context.db, webhook);
  redirect(`${listPath(webhook.accountId)}?notice=webhook-deleted#webhooks-heading`);
}

/** "Retry now" on one of a webhook's deliveries: the callbacks' own retry. */
export async function retryWebhookDelivery(webhookId: string, formData: FormData): Promise<void> {
  const path = `/dashboard/webhooks/${encodeURIComponent(webhookId)}`;
  const guard = await guardAction(formData);
  if (!guard.ok) redirect(`${path}?notice=expired`);
  const deliveryId = text(formData, 'deliveryId') ?? '';
  if (!isStorableText(deliveryId)) redirect(`${path}?notice=retry-gone#deliveries-heading`);
  const result = await retryDeliveryNow(guard.context.db, guard.context.developerId, deliveryId);
  redirect(
    `${path}?notice=${result.ok ? 'retry-queued' : result.reason === 'already_delivered' ? 'retry-delivered' : 'retry-gone'}#deliveries-heading`,
  );
}
