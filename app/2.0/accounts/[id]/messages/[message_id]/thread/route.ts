import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { readContentFor } from '@/lib/message-content/content';
import { locateMessages } from '@/lib/message-content/data';
import { findMessage } from '@/lib/messages/data';
import { messageResourceUrl } from '@/lib/messages/serialize';
import { listThreadMessages } from '@/lib/threads/data';
import { serializeThread } from '@/lib/threads/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id/thread (spec §16), with the content options of …/messages. */
export const GET = apiRoute(contract.GET, async ({ db, account, params, input, baseUrl }) => {
  const message = await findMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  const messages = await listThreadMessages(db, account, { kind: 'id', threadId: message.threadId });
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
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
