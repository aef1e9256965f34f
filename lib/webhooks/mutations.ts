import { CALLBACK_HOST_CHECK_TIMEOUT_MS, type CallbackHostGuard } from '@/lib/callbacks/schema';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { findDisallowedCallbackUrl } from '@/lib/developers/schema';
import { newAccountId } from '@/lib/ids';
import { findPrivateUrlHost } from '@/lib/network/guard';
import type { OwnedWebhook, WebhookLevel } from './data';
import type { CreateWebhookInput, UpdateWebhookInput } from './schema';

/** Creating, changing and deleting webhooks (spec §15); deliveries are in delivery.ts. */

export type WebhookUrlFailure =
  /** The developer's settings allow callbacks only under some prefixes, and `field` is not under any. */
  | { ok: false; reason: 'callback_url_not_allowed'; field: string; prefixes: string[] }
  /** A URL we would POST to whose host is a private or local address. */
  | { ok: false; reason: 'callback_url_private'; field: string; host: string };

/** The same checks as every other URL Mailport POSTs to: the developer's prefixes, then the SSRF guard. */
async function checkUrls(
  db: Db,
  developerId: string,
  urls: { callback_url?: string; failure_notif_url?: string },
  guard: CallbackHostGuard,
): Promise<WebhookUrlFailure | null> {
  if (!urls.callback_url && !urls.failure_notif_url) return null;
  // Only the two URLs: the input's other fields are filters.
  const posted = { callback_url: urls.callback_url, failure_notif_url: urls.failure_notif_url };
  const { callbackUrlPrefixes: prefixes } = await db.developer.findUniqueOrThrow({
    where: { id: developerId },
    select: { callbackUrlPrefixes: true },
  });
  const field = findDisallowedCallbackUrl(prefixes, posted);
  if (field) return { ok: false, reason: 'callback_url_not_allowed', field, prefixes };
  const privateUrl = await findPrivateUrlHost(posted, { timeoutMs: CALLBACK_HOST_CHECK_TIMEOUT_MS, ...guard });
  return privateUrl ? { ok: false, reason: 'callback_url_private', ...privateUrl } : null;
}

/** The columns the create and modify parameters set; a parameter not given leaves its column alone. */
function columnsOf(input: Partial<CreateWebhookInput>): Prisma.WebhookUncheckedUpdateInput {
  const data: Prisma.WebhookUncheckedUpdateInput = {};
  const text = {
    callbackUrl: input.callback_url,
    failureNotifUrl: input.failure_notif_url,
    filterTo: input.filter_to,
    filterFrom: input.filter_from,
    filterCc: input.filter_cc,
    filterSubject: input.filter_subject,
    filterThread: input.filter_thread,
    filterFileName: input.filter_file_name,
    filterFolderAdded: input.filter_folder_added,
    filterToDomain: input.filter_to_domain,
    filterFromDomain: input.filter_from_domain,
    bodyType: input.body_type,
  };
  for (const [column, value] of Object.entries(text)) if (value !== undefined) Object.assign(data, { [column]: value });
  const flags = {
    includeBody: input.include_body,
    includeHeader: input.include_header,
    receiveDrafts: input.receive_drafts,
    receiveAllChanges: input.receive_all_changes,
  };
  for (const [column, value] of Object.entries(flags))
    if (value !== undefined) Object.assign(data, { [column]: value });
  return data;
}

export async function createWebhook(
  db: Db,
  developerId: string,
  level: WebhookLevel,
  input: CreateWebhookInput,
  guard: CallbackHostGuard,
  now: Date,
): Promise<{ ok: true; webhookId: string } | WebhookUrlFailure> {
  const failure = await checkUrls(db, developerId, input, guard);
  if (failure) return failure;
  const id = newAccountId();
  await db.webhook.create({
    data: {
      ...(columnsOf(input) as Prisma.WebhookUncheckedCreateInput),
      id,
      developerId,
      accountId: level.accountId,
      callbackUrl: input.callback_url,
      createdAt: now,
    },
  });
  return { ok: true, webhookId: id };
}

/**
 * POST …/webhooks/:webhook_id. `active=1` also clears `failure`: resuming a
 * webhook that gave up is how a developer says the receiver is back.
 */
export async function updateWebhook(
  db: Db,
  webhook: OwnedWebhook,
  input: UpdateWebhookInput,
  guard: CallbackHostGuard,
): Promise<{ ok: true } | { ok: false; reason: 'webhook_not_found' } | WebhookUrlFailure> {
  const failure = await checkUrls(db, webhook.developerId, input, guard);
  if (failure) return failure;
  const data = columnsOf(input);
  if (input.active !== undefined)
    Object.assign(data, { active: input.active, ...(input.active && { failure: false }) });
  if (Object.keys(data).length === 0) return { ok: true };
  const { count } = await db.webhook.updateMany({ where: { id: webhook.id, developerId: webhook.developerId }, data });
  return count === 1 ? { ok: true } : { ok: false, reason: 'webhook_not_found' };
}

/** Deletes the webhook; its pending deliveries go with it (nothing more is sent for it). */
export async function deleteWebhook(db: Db, webhook: OwnedWebhook): Promise<boolean> {
  const { count } = await db.webhook.deleteMany({ where: { id: webhook.id, developerId: webhook.developerId } });
  return count === 1;
}
