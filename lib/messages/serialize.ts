import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { accountResourceUrl } from '@/lib/accounts/serialize';
import { unixSeconds } from '@/lib/clock';
import type { Address } from '@/lib/mailbox-sync/imap';
import type { BodyPartJson } from '@/lib/message-content/schema';
import { sourceResourceUrl } from '@/lib/sources/serialize';
import type { MessageRow } from './data';
import type { messageJson } from './schema';

const addresses = (value: unknown): Address[] => (Array.isArray(value) ? (value as Address[]) : []);

export const messageResourceUrl = (baseUrl: string, accountId: string, messageId: string) =>
  `${accountResourceUrl(baseUrl, accountId)}/messages/${messageId}`;
export const fileResourceUrl = (baseUrl: string, accountId: string, fileId: string) =>
  `${accountResourceUrl(baseUrl, accountId)}/files/${fileId}`;

/** Context.IO's person_info: a picture per address (Gravatar, keyed by the address's MD5). */
export function personInfo(list: Address[]) {
  const entries = list
    .filter((address) => address.email)
    .map((address) => {
      const hash = createHash('md5').update(address.email.trim().toLowerCase()).digest('hex');
      return [address.email, { thumbnail: `https://www.gravatar.com/avatar/${hash}?s=50&d=mm` }] as const;
    });
  return Object.fromEntries(entries);
}

/** A message in Context.IO 2.0's shape (spec §10). */
export function serializeMessage(
  message: MessageRow,
  baseUrl: string,
  options: {
    includeFlags: boolean;
    /** Read from the mail server for include_body / include_headers (lib/message-content). */
    content?: { body?: BodyPartJson[]; headers?: Record<string, string[]> | string };
  },
) {
  const from = addresses(message.fromAddresses);
  const to = addresses(message.toAddresses);
  const cc = addresses(message.ccAddresses);
  const replyTo = addresses(message.replyTo);
  return {
    message_id: message.id,
    email_message_id: message.emailMessageId,
    subject: message.subject,
    date: unixSeconds(message.date),
    date_received: unixSeconds(message.dateReceived),
    addresses: { from: from[0] ?? null, to, cc, reply_to: replyTo },
    person_info: personInfo([...from, ...to, ...cc]),
    folders: [message.folder.name],
    sources: [
      {
        label: message.folder.source.label,
        resource_url: sourceResourceUrl(baseUrl, message.accountId, message.folder.source.label),
      },
    ],
    files: message.files.map((file) => ({
      file_id: file.id,
      file_name: file.fileName,
      type: file.contentType,
      size: file.size,
      is_embedded: file.isEmbedded,
      resource_url: fileResourceUrl(baseUrl, message.accountId, file.id),
    })),
    ...(options.includeFlags && { flags: message.flags }),
    thread_id: message.threadId,
    ...(message.gmailMessageId && { gmail_message_id: message.gmailMessageId }),
    ...(message.gmailThreadId && { gmail_thread_id: message.gmailThreadId }),
    ...(options.content?.body && { body: options.content.body }),
    ...(options.content?.headers !== undefined && { headers: options.content.headers }),
    size: message.size,
    resource_url: messageResourceUrl(baseUrl, message.accountId, message.id),
  } satisfies z.input<typeof messageJson>;
}
