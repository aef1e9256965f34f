import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { listFiles } from '@/lib/files/data';
import { listFilesInput } from '@/lib/files/schema';
import { serializeFile } from '@/lib/files/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { requireAccount } from '../../../_shared/resources';

/** GET /2.0/accounts/:id/files (spec §10): attachment metadata. */
export const GET = apiRoute({
  params: z.object({ id: accountIdParam }),
  input: listFilesInput,
  handler: async ({ db, developerId, params, input, baseUrl }) => {
    await requireAccount(db, developerId, params.id);
    return { body: (await listFiles(db, params.id, input)).map((file) => serializeFile(file, baseUrl)) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
