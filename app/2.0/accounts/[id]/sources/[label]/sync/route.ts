import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import { listSourceFolders } from '@/lib/mailbox-sync/data';
import { requestSourceSync } from '@/lib/mailbox-sync/mutations';
import { serializeSourceSync } from '@/lib/mailbox-sync/serialize';
import { sourceLabelParam } from '@/lib/sources/schema';
import { sourceResourceUrl } from '@/lib/sources/serialize';
import { requireSource } from '../../../../../_shared/resources';

const params = z.object({ id: accountIdParam, label: sourceLabelParam });

/** GET /2.0/accounts/:id/sources/:label/sync (spec §9): per-folder sync state. */
export const GET = apiRoute({
  params,
  input: z.object({}),
  handler: async ({ db, developerId, params }) => {
    const source = await requireSource(db, developerId, params.id, params.label);
    return { body: serializeSourceSync(await listSourceFolders(db, source.id)) };
  },
});

/** POST …/sync: queues a sync of the source (one at most waits behind a running one). */
export const POST = apiRoute({
  params,
  input: z.object({}),
  handler: async ({ db, developerId, params, baseUrl }) => {
    const source = await requireSource(db, developerId, params.id, params.label);
    const queued = await requestSourceSync(db, source.id);
    return {
      status: 202,
      body: {
        success: true,
        syncs_queued: queued ? 1 : 0,
        resource_url: `${sourceResourceUrl(baseUrl, source.accountId, source.label)}/sync`,
      },
    };
  },
});
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
