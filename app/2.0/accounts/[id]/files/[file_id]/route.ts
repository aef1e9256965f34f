import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { findFile } from '@/lib/files/data';
import { fileIdParam } from '@/lib/files/schema';
import { serializeFile } from '@/lib/files/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { notFound } from '@/lib/http/errors';
import { requireAccount } from '../../../../_shared/resources';

/** GET /2.0/accounts/:id/files/:file_id (spec §10): one file's metadata. */
export const GET = apiRoute({
  params: z.object({ id: accountIdParam, file_id: fileIdParam }),
  input: z.object({}),
  handler: async ({ db, developerId, params, baseUrl }) => {
    await requireAccount(db, developerId, params.id);
    const file = await findFile(db, params.id, params.file_id);
    if (!file) throw notFound(`file ${params.file_id} is invalid`);
    return { body: serializeFile(file, baseUrl) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
