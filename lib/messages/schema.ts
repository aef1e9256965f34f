import { z } from 'zod';
import { flag, optionalText, pagination } from '@/lib/validation/fields';

/** Synced messages as the API reads them (spec §10). */

export const messageIdParam = z
  .string()
  .regex(/^[0-9a-f]{24}$/, 'expected a 24-character message id')
  .meta({ description: 'The message id, 24 lowercase hex characters.' });

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
  ...pagination(25, 100),
});
export type ListMessagesInput = z.output<typeof listMessagesInput>;

export const getMessageInput = z.object({
  include_flags: flag.meta({ description: '1: include the flags (as synced).' }),
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
    size: z.number().int(),
    resource_url: z.string(),
  })
  .meta({ id: 'Message' });
