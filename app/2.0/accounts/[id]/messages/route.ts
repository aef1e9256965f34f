import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listMessages } from '@/lib/messages/data';
import { serializeMessage } from '@/lib/messages/serialize';
import { readMessagesContent } from '../../../_shared/message-content';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages (spec §10, content options §16). */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => {
  const messages = await listMessages(db, account, input);
  const ids = messages.map((message) => message.id);
  const content = await readMessagesContent(db, account, ids, input, baseUrl);
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
