import type { OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import { readContentFor } from '@/lib/message-content/content';
import { locateMessages } from '@/lib/message-content/data';
import type { ContentOptions } from '@/lib/message-content/schema';
import { messageResourceUrl } from '@/lib/messages/serialize';
import type { listThreadMessages } from '@/lib/threads/data';
import { serializeThread } from '@/lib/threads/serialize';

/**
 * The content options of message reads (spec §16) for the given messages: no IMAP
 * (nor the lookup of where they live) unless a body or headers were asked for.
 */
export async function readMessagesContent(
  db: Db,
  account: OwnedAccount,
  messageIds: string[],
  options: ContentOptions,
  baseUrl: string,
) {
  const located = options.include_body || options.include_headers ? await locateMessages(db, account, messageIds) : [];
  return readContentFor(located, options, (id) => `${messageResourceUrl(baseUrl, account.id, id)}/source`);
}

/** A thread's JSON for …/messages/:id/thread and …/threads/:id alike, with the content options. */
export async function threadResponse(
  db: Db,
  account: OwnedAccount,
  messages: Awaited<ReturnType<typeof listThreadMessages>>,
  input: ContentOptions & { include_flags?: boolean },
  baseUrl: string,
) {
  const ids = messages.map((row) => row.id);
  const content = await readMessagesContent(db, account, ids, input, baseUrl);
  if (!content.ok) return content;
  return {
    body: serializeThread(messages, baseUrl, { includeFlags: input.include_flags ?? false, contentById: content.byId }),
  };
}
