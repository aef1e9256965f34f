import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { openMessageSource } from '@/lib/message-content/content';
import { locateMessage } from '@/lib/message-content/data';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id/source (spec §16): streamed, whatever its size. */
export const GET = apiRoute(contract.GET, async ({ db, account, params }) => {
  const message = await locateMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  const opened = await openMessageSource(message);
  if (!opened.ok) return opened;
  return { stream: { stream: opened.download.stream, contentType: 'message/rfc822' } };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
