import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import { findMessage } from '@/lib/messages/data';
import { listThreadMessages } from '@/lib/threads/data';
import { serializeThread } from '@/lib/threads/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id/thread (spec §16). */
export const GET = apiRoute(contract.GET, async ({ db, account, params, baseUrl }) => {
  const message = await findMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  const messages = await listThreadMessages(db, account, { kind: 'id', threadId: message.threadId });
  return { body: serializeThread(messages, baseUrl) };
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
