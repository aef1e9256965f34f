import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { findMessage } from '@/lib/messages/data';
import { listThreadMessages } from '@/lib/threads/data';
import { threadResponse } from '../../../../../_shared/message-content';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id/thread (spec §16), with the content options of …/messages. */
export const GET = apiRoute(contract.GET, async ({ db, account, params, input, baseUrl }) => {
  const message = await findMessage(db, account, params.message_id);
  if (!message) return { ok: false, reason: 'message_not_found' };
  const messages = await listThreadMessages(db, account, { kind: 'id', threadId: message.threadId });
  return threadResponse(db, account, messages, input, baseUrl);
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
