import type { z } from 'zod';
import type { Address } from '@/lib/mailbox-sync/imap';
import { fileResourceUrl } from '@/lib/messages/serialize';
import type { FileRow } from './data';
import type { fileJson } from './schema';

const addresses = (value: unknown): Address[] => (Array.isArray(value) ? (value as Address[]) : []);

/** A file in Context.IO 2.0's shape (spec §10). */
export function serializeFile(file: FileRow, baseUrl: string) {
  return {
    file_id: file.id,
    file_name: file.fileName,
    type: file.contentType,
    size: file.size,
    date: file.message.date ? Math.floor(file.message.date.getTime() / 1000) : 0,
    addresses: {
      from: addresses(file.message.fromAddresses)[0] ?? null,
      to: addresses(file.message.toAddresses),
      cc: addresses(file.message.ccAddresses),
    },
    email_message_id: file.message.emailMessageId,
    message_id: file.message.id,
    is_embedded: file.isEmbedded,
    resource_url: fileResourceUrl(baseUrl, file.accountId, file.id),
  } satisfies z.input<typeof fileJson>;
}
