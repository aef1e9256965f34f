import { z } from 'zod';
import { discoverImapSettings, networkDiscoveryDeps } from '@/lib/discovery/discover';
import { discoveryInput } from '@/lib/discovery/schema';
import { serializeDiscovery } from '@/lib/discovery/serialize';
import { getConfig } from '@/lib/env';
import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';

/** GET /2.0/discovery?source_type=IMAP&email=… — the same lookup the connect pages use. */
export const GET = apiRoute({
  params: z.object({}),
  input: discoveryInput,
  handler: async ({ input }) => {
    // The developer's key is the limit here (no connect token); the SSRF guard applies all the same.
    const deps = networkDiscoveryDeps({ allowPrivateHosts: getConfig().allowPrivateHosts });
    return { body: serializeDiscovery(input.email, await discoverImapSettings(input.email, deps)) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
