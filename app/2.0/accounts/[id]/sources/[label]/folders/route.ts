import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import { listSourceFolders } from '@/lib/mailbox-sync/data';
import { serializeFolder } from '@/lib/mailbox-sync/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/sources/:label/folders (spec §9): the folders as last seen by the sync. */
export const GET = apiRoute(contract.GET, async ({ db, source }) => ({
  body: (await listSourceFolders(db, source)).map(serializeFolder),
}));
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
