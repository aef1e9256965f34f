import { discoverImapSettings, networkDiscoveryDeps } from '@/lib/discovery/discover';
import { serializeDiscovery } from '@/lib/discovery/serialize';
import { getConfig } from '@/lib/env';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import * as contract from './contract';

/** GET /2.0/discovery?source_type=IMAP&email=… — the same lookup the connect pages use. */
export const GET = apiRoute(contract.GET, async ({ input }) => {
  // The developer's key is the limit here (no connect token); the SSRF guard applies all the same.
  const deps = networkDiscoveryDeps({ allowPrivateHosts: getConfig().allowPrivateHosts });
  return { body: serializeDiscovery(input.email, await discoverImapSettings(input.email, deps)) };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
