import { z } from 'zod';
import { bodyPartJson, contentOptions, headersJson } from '@/lib/message-content/schema';
import { flag, optionalText, pagination } from '@/lib/validation/fields';

/** Synced messages as the API reads them (spec §10). */

/** How a client may name a message (spec §16): our id, its Message-ID header, or Gmail's id. */
export type MessageRef =
  | { kind: 'id'; id: string }
  | { kind: 'email_message_id'; emailMessageId: string }
  | { kind: 'gmail_message_id'; gmailMessageId: string };

/** Reads a `:message_id` path segment; null when it is none of the accepted forms. */
export function parseMessageRef(raw: string): MessageRef | null {
  let value = raw.trim();
  // Some clients encode the Message-ID twice; a decoded `<…@…>` never holds a % sign of its own in practice.
  if (/%[0-9a-f]{2}/i.test(value)) {
    try {
      value = decodeURIComponent(value);
    } catch {
      return null;
    }
  }
  if (/^[0-9a-f]{24}$/.test(value)) return { kind: 'id', id: value };
  const gmail = /^gm-([0-9]{1,20})$/i.exec(value);
  if (gmail?.[1]) return { kind: 'gmail_message_id', gmailMessageId: gmail[1] };
  const bare = value.replace(/^<|>$/g, '');
  if (/^[^<>\s]+@[^<>\s]+$/.test(bare) && bare.length <= 995) {
    return { kind: 'email_message_id', emailMessageId: `<${bare}>` };
  }
  return null;
}

export const messageIdParam = z
  .string()
  .max(1000)
  .refine((value) => parseMessageRef(value) !== null, 'expected a message id')
  .meta({
    description:
      'The message id (24 lowercase hex characters), its URL-encoded Message-ID header (`<…@…>`), or for Gmail `gm-<gmail_message_id>`.',
  });

/** Unix seconds, as Context.IO's date filters take them. */
export const unixTimeFilter = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  z.coerce
    .number({ error: 'expected a Unix time in seconds' })
    .int('expected a whole number of seconds')
    .min(0, 'expected a Unix time in seconds')
    .max(253402300799, 'expected a Unix time in seconds')
    .optional(),
);

export const listMessagesInput = z.object({
  folder: optionalText(1000).meta({ description: 'Only messages in this folder (its full name).' }),
  from: optionalText(254).meta({ description: 'Only messages from this email address.' }),
  to: optionalText(254).meta({ description: 'Only messages to this email address.' }),
  subject: optionalText(1000).meta({ description: 'Only messages whose subject contains this text (any case).' }),
  date_before: unixTimeFilter.meta({ description: 'Only messages dated before this Unix time.' }),
  date_after: unixTimeFilter.meta({ description: 'Only messages dated after this Unix time.' }),
  include_flags: flag.meta({ description: '1: include each message’s flags (as synced).' }),
  ...contentOptions,
  ...pagination(25, 100),
});
export type ListMessagesInput = z.output<typeof listMessagesInput>;

export const getMessageInput = z.object({
  include_flags: flag.meta({ description: '1: include the flags (as synced).' }),
  ...contentOptions,
});

export const addressJson = z.object({ email: z.string(), name: z.string() }).meta({ id: 'Address' });

export const messageFileJson = z.object({
  file_id: z.string(),
  file_name: z.string(),
  type: z.string(),
  size: z.number().int(),
  is_embedded: z.boolean(),
  resource_url: z.string(),
});

export const messageJson = z
  .object({
    message_id: z.string(),
    email_message_id: z.string(),
    subject: z.string(),
    date: z.number().int().meta({ description: 'Unix seconds (the Date header); 0 when missing' }),
    date_received: z.number().int().meta({ description: 'Unix seconds (IMAP internal date)' }),
    addresses: z.object({
      from: addressJson.nullable(),
      to: z.array(addressJson),
      cc: z.array(addressJson),
      reply_to: z.array(addressJson),
    }),
    person_info: z.record(z.string(), z.object({ thumbnail: z.string() })),
    folders: z.array(z.string()),
    sources: z.array(z.object({ label: z.string(), resource_url: z.string() })),
    files: z.array(messageFileJson),
    flags: z
      .array(z.string())
      .optional()
      .meta({ description: '\\Seen and \\Flagged; present when asked for with include_flags=1' }),
    thread_id: z.string().meta({ description: 'Messages of one conversation share it (from References)' }),
    gmail_message_id: z.string().optional().meta({ description: "Gmail's X-GM-MSGID; on Gmail sources only" }),
    gmail_thread_id: z.string().optional().meta({ description: "Gmail's X-GM-THRID; on Gmail sources only" }),
    body: z.array(bodyPartJson).optional().meta({ description: 'With include_body=1, read from the mail server' }),
    headers: z
      .union([headersJson, z.string()])
      .optional()
      .meta({ description: 'With include_headers=1 (an object) or raw (the header block)' }),
    size: z.number().int(),
    resource_url: z.string(),
  })
  .meta({ id: 'Message' });
