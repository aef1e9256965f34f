import type { z } from 'zod';
import { accountResourceUrl } from '@/lib/accounts/serialize';
import type { Address } from '@/lib/mailbox-sync/imap';
import type { MessageRow } from '@/lib/messages/data';
import { personInfo, serializeMessage } from '@/lib/messages/serialize';
import type { threadJson } from './schema';

export const threadResourceUrl = (baseUrl: string, accountId: string, threadId: string) =>
  `${accountResourceUrl(baseUrl, accountId)}/threads/${threadId}`;

const addresses = (value: unknown): Address[] => (Array.isArray(value) ? (value as Address[]) : []);

/** A thread in Context.IO 2.0's shape (spec §16): its Message-IDs, everyone in it, its messages. */
export function serializeThread(messages: MessageRow[], baseUrl: string) {
  const emailMessageIds = [...new Set(messages.map((message) => message.emailMessageId).filter(Boolean))];
  const people = messages.flatMap((message) => [
    ...addresses(message.fromAddresses),
    ...addresses(message.toAddresses),
    ...addresses(message.ccAddresses),
  ]);
  return {
    email_message_ids: emailMessageIds,
    person_info: personInfo(people),
    messages: messages.map((message) => serializeMessage(message, baseUrl, { includeFlags: false })),
  } satisfies z.input<typeof threadJson>;
}
