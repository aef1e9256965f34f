import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listMessages } from '@/lib/messages/data';
import { serializeMessage } from '@/lib/messages/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages (spec §10). */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => {
  const messages = await listMessages(db, account, input);
  const includeFlags = input.include_flags === true;
  return { body: messages.map((message) => serializeMessage(message, baseUrl, { includeFlags })) };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
