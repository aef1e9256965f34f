import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import { readContentFor } from '@/lib/message-content/content';
import { locateMessages } from '@/lib/message-content/data';
import { messageResourceUrl } from '@/lib/messages/serialize';
import { listThreadMessages } from '@/lib/threads/data';
import { parseThreadRef } from '@/lib/threads/schema';
import { serializeThread } from '@/lib/threads/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/threads/:thread_id (spec §16): our thread id or Gmail's, with the content options. */
export const GET = apiRoute(contract.GET, async ({ db, account, params, input, baseUrl }) => {
  const ref = parseThreadRef(params.thread_id);
  const messages = ref ? await listThreadMessages(db, account, ref) : [];
  if (messages.length === 0) return { ok: false, reason: 'thread_not_found' };
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
    body: serializeThread(messages, baseUrl, { includeFlags: input.include_flags, contentById: content.byId }),
  };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
