import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { findMessage } from '@/lib/messages/data';
import { serializeMessage } from '@/lib/messages/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id (spec §10). */
export const GET = apiRoute(contract.GET, async ({ db, account, params, input, baseUrl }) => {
  const message = await findMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  return { body: serializeMessage(message, baseUrl, { includeFlags: input.include_flags === true }) };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
