import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listSourceFolders } from '@/lib/mailbox-sync/data';
import { requestSourceSync } from '@/lib/mailbox-sync/mutations';
import { serializeSourceSync } from '@/lib/mailbox-sync/serialize';
import { sourceResourceUrl } from '@/lib/sources/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/sources/:label/sync (spec §9): per-folder sync state. */
export const GET = apiRoute(contract.GET, async ({ db, source }) => ({
  body: serializeSourceSync(await listSourceFolders(db, source)),
}));

/** POST …/sync: queues a sync of the source (one at most waits behind a running one). */
export const POST = apiRoute(contract.POST, async ({ db, source, baseUrl }) => {
  const queued = await requestSourceSync(db, source);
  return {
    body: {
      success: true as const,
      syncs_queued: queued ? 1 : 0,
      resource_url: `${sourceResourceUrl(baseUrl, source.accountId, source.label)}/sync`,
    },
  };
});
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
