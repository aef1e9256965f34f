import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listSources } from '@/lib/sources/data';
import { addServerSideSource } from '@/lib/sources/mutations';
import { serializeSource, sourceResourceUrl } from '@/lib/sources/serialize';
import { addSourceDeps, checkFailedBody } from '../../../_shared/server-side-sources';
import * as contract from './contract';

/** GET /2.0/accounts/:id/sources (spec §9). */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => ({
  body: (await listSources(db, account, input)).map((source) => serializeSource(source, baseUrl)),
}));
/** POST /2.0/accounts/:id/sources (spec §9): a password or an OAuth2 refresh token, checked by a real login first. */
export const POST = apiRoute(contract.POST, async ({ db, developerId, account, input, baseUrl, now }) => {
  const added = await addServerSideSource(db, developerId, { kind: 'account', account }, input, addSourceDeps(db, now));
  if (!added.ok) return added.reason === 'source_check_failed' ? checkFailedBody(added) : added;
  return {
    body: {
      success: true as const,
      label: added.label,
      resource_url: sourceResourceUrl(baseUrl, added.accountId, added.label),
    },
  };
});
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
