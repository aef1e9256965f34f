import type { z } from 'zod';
import { accountResourceUrl } from '@/lib/accounts/serialize';
import type { Address } from '@/lib/mailbox-sync/imap';
import type { BodyPartJson } from '@/lib/message-content/schema';
import type { MessageRow } from '@/lib/messages/data';
import { personInfo, serializeMessage } from '@/lib/messages/serialize';
import type { threadJson } from './schema';

export const threadResourceUrl = (baseUrl: string, accountId: string, threadId: string) =>
  `${accountResourceUrl(baseUrl, accountId)}/threads/${threadId}`;

const addresses = (value: unknown): Address[] => (Array.isArray(value) ? (value as Address[]) : []);

/** A thread in Context.IO 2.0's shape (spec §16): its Message-IDs, everyone in it, its messages. */
export function serializeThread(
  messages: MessageRow[],
  baseUrl: string,
  options: {
    includeFlags?: boolean;
    /** include_body / include_headers, read from the mail server (lib/message-content readContentFor). */
    contentById?: Map<string, { body?: BodyPartJson[]; headers?: Record<string, string[]> | string }>;
  } = {},
) {
  const emailMessageIds = [...new Set(messages.map((message) => message.emailMessageId).filter(Boolean))];
  const people = messages.flatMap((message) => [
    ...addresses(message.fromAddresses),
    ...addresses(message.toAddresses),
    ...addresses(message.ccAddresses),
  ]);
  return {
    email_message_ids: emailMessageIds,
    person_info: personInfo(people),
    messages: messages.map((message) =>
      serializeMessage(message, baseUrl, {
        includeFlags: options.includeFlags === true,
        content: options.contentById?.get(message.id),
      }),
    ),
  } satisfies z.input<typeof threadJson>;
}
