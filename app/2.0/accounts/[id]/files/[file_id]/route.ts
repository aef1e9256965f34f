import { findFile } from '@/lib/files/data';
import { serializeFile } from '@/lib/files/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import * as contract from './contract';

/** GET /2.0/accounts/:id/files/:file_id (spec §10): one file's metadata. */
export const GET = apiRoute(contract.GET, async ({ db, account, params, baseUrl }) => {
  const file = await findFile(db, account, params.file_id);
  return file ? { body: serializeFile(file, baseUrl) } : { ok: false, reason: 'file_not_found' };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
