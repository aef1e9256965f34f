import type { z } from 'zod';
import { accountResourceUrl } from '@/lib/accounts/serialize';
import type { WebhookRow } from './data';
import type { webhookJson } from './schema';

export const webhookResourceUrl = (baseUrl: string, webhook: { id: string; accountId: string | null }) =>
  webhook.accountId
    ? `${accountResourceUrl(baseUrl, webhook.accountId)}/webhooks/${webhook.id}`
    : `${baseUrl}/2.0/webhooks/${webhook.id}`;

/** A webhook in Context.IO 2.0's shape (spec §15). */
export function serializeWebhook(webhook: WebhookRow, baseUrl: string) {
  return {
    webhook_id: webhook.id,
    callback_url: webhook.callbackUrl,
    failure_notif_url: webhook.failureNotifUrl,
    active: webhook.active,
    failure: webhook.failure,
    filter_to: webhook.filterTo,
    filter_from: webhook.filterFrom,
    filter_cc: webhook.filterCc,
    filter_subject: webhook.filterSubject,
    filter_thread: webhook.filterThread,
    filter_file_name: webhook.filterFileName,
    filter_folder_added: webhook.filterFolderAdded,
    filter_to_domain: webhook.filterToDomain,
    filter_from_domain: webhook.filterFromDomain,
    include_body: webhook.includeBody,
    body_type: webhook.bodyType,
    include_header: webhook.includeHeader,
    receive_drafts: webhook.receiveDrafts,
    receive_all_changes: webhook.receiveAllChanges,
    resource_url: webhookResourceUrl(baseUrl, webhook),
  } satisfies z.input<typeof webhookJson>;
}
