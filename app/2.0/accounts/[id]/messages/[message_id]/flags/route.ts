import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { flagsJsonOf, readMessageFlags } from '@/lib/message-content/content';
import { locateMessage } from '@/lib/message-content/data';
import { changeMessageFlags } from '@/lib/message-content/mutations';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id/flags (spec §16): live from the server. */
export const GET = apiRoute(contract.GET, async ({ db, account, params }) => {
  const message = await locateMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  const read = await readMessageFlags(message);
  return read.ok ? { body: flagsJsonOf(read.flags) } : read;
});

/** POST …/flags: sets them on the server and in our copy. */
export const POST = apiRoute(contract.POST, async ({ db, account, params, input }) => {
  const message = await locateMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  const changed = await changeMessageFlags(db, message, input);
  return changed.ok ? { body: { success: true as const, flags: flagsJsonOf(changed.flags) } } : changed;
});
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
