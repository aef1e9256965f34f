import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listSourceFolders } from '@/lib/mailbox-sync/data';
import { serializeFolder } from '@/lib/mailbox-sync/serialize';
import { sourceLabelParam } from '@/lib/sources/schema';
import { requireSource } from '../../../../../_shared/resources';

/** GET /2.0/accounts/:id/sources/:label/folders (spec §9): the folders as last seen by the sync. */
export const GET = apiRoute({
  params: z.object({ id: accountIdParam, label: sourceLabelParam }),
  input: z.object({}),
  handler: async ({ db, developerId, params }) => {
    const source = await requireSource(db, developerId, params.id, params.label);
    return { body: (await listSourceFolders(db, source.id)).map(serializeFolder) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
