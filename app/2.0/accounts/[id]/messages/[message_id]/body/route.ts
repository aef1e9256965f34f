import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { readMessageBody } from '@/lib/message-content/content';
import { locateMessage } from '@/lib/message-content/data';
import { messageResourceUrl } from '@/lib/messages/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id/body (spec §16). */
export const GET = apiRoute(contract.GET, async ({ db, account, params, input, baseUrl }) => {
  const message = await locateMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  const sourcePath = `${messageResourceUrl(baseUrl, account.id, message.id)}/source`;
  const read = await readMessageBody(message, { type: input.type, sourcePath });
  return read.ok ? { body: read.body } : read;
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
