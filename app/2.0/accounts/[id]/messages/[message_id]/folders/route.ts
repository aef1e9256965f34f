import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listMessageFolders } from '@/lib/message-content/data';
import { serializeMessageFolder } from '@/lib/message-content/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/messages/:message_id/folders (spec §16). */
export const GET = apiRoute(contract.GET, async ({ db, account, params }) => {
  const folders = await listMessageFolders(db, account, params.message_id);
  if (!folders) return { ok: false, reason: 'message_not_found' };
  return { body: folders.map(serializeMessageFolder) };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
