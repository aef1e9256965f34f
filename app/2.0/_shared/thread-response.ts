import type { OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import { readContentFor } from '@/lib/message-content/content';
import { locateMessages } from '@/lib/message-content/data';
import type { ContentOptions } from '@/lib/message-content/schema';
import { messageResourceUrl } from '@/lib/messages/serialize';
import type { listThreadMessages } from '@/lib/threads/data';
import { serializeThread } from '@/lib/threads/serialize';

/** A thread's JSON (spec §16) for …/messages/:id/thread and …/threads/:id alike, with the content options. */
export async function threadResponse(
  db: Db,
  account: OwnedAccount,
  messages: Awaited<ReturnType<typeof listThreadMessages>>,
  input: ContentOptions & { include_flags?: boolean },
  baseUrl: string,
) {
  const located =
    input.include_body || input.include_headers
      ? await locateMessages(
          db,
          account,
          messages.map((row) => row.id),
        )
      : [];
  const content = await readContentFor(located, input, (id) => `${messageResourceUrl(baseUrl, account.id, id)}/source`);
  if (!content.ok) return content;
  return {
    body: serializeThread(messages, baseUrl, { includeFlags: input.include_flags ?? false, contentById: content.byId }),
  };
}
