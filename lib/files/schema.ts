import { z } from 'zod';
import { addressJson, unixTimeFilter } from '@/lib/messages/schema';
import { optionalText, pagination } from '@/lib/validation/fields';

/** Attachments of synced messages (spec §10): metadata only. */

export const fileIdParam = z
  .string()
  .regex(/^[0-9a-f]{24}$/, 'expected a 24-character file id')
  .meta({ description: 'The file id, 24 lowercase hex characters.' });

export const listFilesInput = z.object({
  file_name: optionalText(1000).meta({ description: 'Only files whose name contains this text (any case).' }),
  email: optionalText(254).meta({ description: 'Only files of messages from or to this address.' }),
  date_before: unixTimeFilter.meta({ description: 'Only files of messages dated before this Unix time.' }),
  date_after: unixTimeFilter.meta({ description: 'Only files of messages dated after this Unix time.' }),
  ...pagination(25, 100),
});
export type ListFilesInput = z.output<typeof listFilesInput>;

export const fileJson = z
  .object({
    file_id: z.string(),
    file_name: z.string(),
    type: z.string(),
    size: z.number().int().meta({ description: 'Bytes, decoded (estimated from the encoded size)' }),
    date: z.number().int().meta({ description: "Unix seconds: the message's date" }),
    addresses: z.object({
      from: addressJson.nullable(),
      to: z.array(addressJson),
      cc: z.array(addressJson),
    }),
    email_message_id: z.string(),
    message_id: z.string(),
    is_embedded: z.boolean(),
    resource_url: z.string(),
  })
  .meta({ id: 'File' });
