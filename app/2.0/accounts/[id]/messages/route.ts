import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { readContentFor } from '@/lib/message-content/content';
import { locateMessages } from '@/lib/message-content/data';
import { listMessages } from '@/lib/messages/data';
import { messageResourceUrl, serializeMessage } from '@/lib/messages/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages (spec §10, content options §16). */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => {
  const messages = await listMessages(db, account, input);
  const located =
    input.include_body || input.include_headers
      ? await locateMessages(
          db,
          account,
          messages.map((message) => message.id),
        )
      : [];
  const content = await readContentFor(located, input, (id) => `${messageResourceUrl(baseUrl, account.id, id)}/source`);
  if (!content.ok) return content;
  const includeFlags = input.include_flags === true;
  return {
    body: messages.map((message) =>
      serializeMessage(message, baseUrl, { includeFlags, content: content.byId.get(message.id) }),
    ),
  };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
