import { discoverImapSettings } from '@/lib/discovery/discover';
import { serializeDiscovery } from '@/lib/discovery/serialize';
import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import * as contract from './contract';

/** GET /2.0/discovery?source_type=IMAP&email=… — the same lookup the connect pages use. */
export const GET = apiRoute(contract.GET, async ({ input }) => ({
  body: serializeDiscovery(input.email, await discoverImapSettings(input.email)),
}));
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
