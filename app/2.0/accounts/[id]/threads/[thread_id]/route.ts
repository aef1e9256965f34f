import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import { listThreadMessages } from '@/lib/threads/data';
import { parseThreadRef } from '@/lib/threads/schema';
import { serializeThread } from '@/lib/threads/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/threads/:thread_id (spec §16): our thread id or Gmail's. */
export const GET = apiRoute(contract.GET, async ({ db, account, params, baseUrl }) => {
  const ref = parseThreadRef(params.thread_id);
  const messages = ref ? await listThreadMessages(db, account, ref) : [];
  if (messages.length === 0) return { ok: false, reason: 'thread_not_found' };
  return { body: serializeThread(messages, baseUrl) };
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
