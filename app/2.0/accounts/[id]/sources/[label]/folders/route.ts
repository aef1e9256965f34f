import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listSourceFolders } from '@/lib/mailbox-sync/data';
import { serializeFolder } from '@/lib/mailbox-sync/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/sources/:label/folders (spec §9): the folders as last seen by the sync. */
export const GET = apiRoute(contract.GET, async ({ db, source }) => ({
  body: (await listSourceFolders(db, source)).map(serializeFolder),
}));
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
