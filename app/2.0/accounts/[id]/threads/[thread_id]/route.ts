import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listThreadMessages } from '@/lib/threads/data';
import { parseThreadRef } from '@/lib/threads/schema';
import { threadResponse } from '../../../../_shared/message-content';
import * as contract from './contract';

/** GET /2.0/accounts/:id/threads/:thread_id (spec §16): our thread id or Gmail's, with the content options. */
export const GET = apiRoute(contract.GET, async ({ db, account, params, input, baseUrl }) => {
  const ref = parseThreadRef(params.thread_id);
  const messages = ref ? await listThreadMessages(db, account, ref) : [];
  if (messages.length === 0) return { ok: false, reason: 'thread_not_found' };
  return threadResponse(db, account, messages, input, baseUrl);
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
