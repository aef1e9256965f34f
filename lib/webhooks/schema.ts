import { z } from 'zod';
import { bodyTypeField } from '@/lib/message-content/schema';
import { flag, httpUrl, optionalHttpUrl, optionalText, pagination } from '@/lib/validation/fields';
import { parseFilterPattern } from './rules';

/** Context.IO webhooks (spec §15): inputs, the webhook object and what a receiver is POSTed. */

export const webhookIdParam = z
  .string()
  .regex(/^[0-9a-f]{24}$/, 'expected a 24-character webhook id')
  .meta({ description: 'The webhook id, 24 lowercase hex characters.' });

/** A filter: text matched case-insensitively, or a regular expression written `/…/` (flags i, m, s, u after it). */
const filterField = (description: string) =>
  optionalText(500)
    .refine((value) => value === undefined || parseFilterPattern(value) !== null, {
      error: 'expected text, or a valid regular expression between slashes such as /^invoice/i',
    })
    .meta({ description: `${description} Text matches case-insensitively anywhere; /regex/ matches as written.` });

/** The filters, in Context.IO's names; every given filter must match (they are ANDed). */
export const webhookFilters = {
  filter_to: filterField('Only messages to this address or name.'),
  filter_from: filterField('Only messages from this address or name.'),
  filter_cc: filterField('Only messages with this address or name in Cc.'),
  filter_subject: filterField('Only messages whose subject matches.'),
  filter_thread: optionalText(1000).meta({
    description:
      'Only messages in this thread: a gmail_thread_id, a thread id, or the email_message_id of a message in it.',
  }),
  filter_file_name: filterField('Only messages with an attachment whose file name matches.'),
  filter_folder_added: optionalText(1000).meta({ description: 'Only messages filed in this folder (a Gmail label).' }),
  filter_to_domain: filterField('Only messages to an address at this domain.'),
  filter_from_domain: filterField('Only messages from an address at this domain.'),
};

const webhookOptions = {
  failure_notif_url: optionalHttpUrl.meta({
    description: 'POSTed to when a delivery is given up after its retries. A private or local host is refused (400).',
  }),
  ...webhookFilters,
  include_body: flag.meta({ description: '1: the message body is part of each delivery (read from the mail server).' }),
  body_type: bodyTypeField,
  include_header: flag.meta({ description: '1: the message headers are part of each delivery.' }),
  receive_drafts: flag.meta({ description: '1: drafts are delivered too (by default they are not).' }),
  receive_all_changes: flag.meta({
    description:
      '1: flag changes and deletions found on the server are delivered too, and each delivery names its event (message_new, message_flags_changed, message_deleted).',
  }),
};

/** POST /2.0/webhooks and POST /2.0/accounts/:id/webhooks. */
export const createWebhookInput = z.object({
  callback_url: httpUrl.meta({
    description: 'Where each matching message is POSTed. A private or local host is refused (400).',
  }),
  ...webhookOptions,
});
export type CreateWebhookInput = z.output<typeof createWebhookInput>;

/** POST …/webhooks/:webhook_id: `active`, and any create parameter to change it. */
export const updateWebhookInput = z.object({
  active: flag.meta({ description: '0: pause the webhook; 1: resume it (and clear `failure`).' }),
  callback_url: optionalHttpUrl.meta({ description: 'A new callback URL.' }),
  ...webhookOptions,
});
export type UpdateWebhookInput = z.output<typeof updateWebhookInput>;

export const listWebhooksInput = z.object(pagination(100, 100));

/** A webhook as the API returns it; serialize.ts produces exactly this. Filters not given are "". */
export const webhookJson = z
  .object({
    webhook_id: z.string(),
    callback_url: z.string(),
    failure_notif_url: z.string(),
    active: z.boolean(),
    failure: z
      .boolean()
      .meta({ description: 'true: a delivery was given up after its retries; paused until active=1' }),
    filter_to: z.string(),
    filter_from: z.string(),
    filter_cc: z.string(),
    filter_subject: z.string(),
    filter_thread: z.string(),
    filter_file_name: z.string(),
    filter_folder_added: z.string(),
    filter_to_domain: z.string(),
    filter_from_domain: z.string(),
    include_body: z.boolean(),
    body_type: z.string().meta({ description: 'text/plain, text/html, or "" for both' }),
    include_header: z.boolean(),
    receive_drafts: z.boolean(),
    receive_all_changes: z.boolean(),
    resource_url: z.string(),
  })
  .meta({ id: 'Webhook' });

export const createdWebhookJson = z.object({
  success: z.literal(true),
  webhook_id: z.string(),
  resource_url: z.string(),
});

/** What a webhook's callback_url receives for a new message (spec §15). */
export const webhookDeliveryBody = z.object({
  account_id: z.string(),
  webhook_id: z.string(),
  /** Only with receive_all_changes; the changes (with the message's flags in message_data) only to those webhooks. */
  event: z.enum(['message_new', 'message_flags_changed', 'message_deleted']).optional(),
  timestamp: z.number().int(),
  token: z.string(),
  signature: z.string(),
  message_data: z.record(z.string(), z.unknown()),
});
export type WebhookDeliveryBody = z.infer<typeof webhookDeliveryBody>;

/** What failure_notif_url receives when a delivery is given up. */
export const webhookFailureBody = z.object({
  webhook_id: z.string(),
  account_id: z.string(),
  failure_message: z.string(),
  timestamp: z.number().int(),
  token: z.string(),
  signature: z.string(),
});
export type WebhookFailureBody = z.infer<typeof webhookFailureBody>;
