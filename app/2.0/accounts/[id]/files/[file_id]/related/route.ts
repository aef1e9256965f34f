import { findFile, listRelatedFiles } from '@/lib/files/data';
import { serializeFile } from '@/lib/files/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import * as contract from './contract';

/** GET /2.0/accounts/:id/files/:file_id/related (spec §16). */
export const GET = apiRoute(contract.GET, async ({ db, account, params, baseUrl }) => {
  const file = await findFile(db, account, params.file_id);
  if (!file) return { ok: false, reason: 'file_not_found' };
  const related = await listRelatedFiles(db, account, file);
  return { body: related.map((row) => serializeFile(row, baseUrl)) };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
