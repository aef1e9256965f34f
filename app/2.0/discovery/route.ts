import { z } from 'zod';
import { discoverImapSettings } from '@/lib/discovery/discover';
import { discoveryInput } from '@/lib/discovery/schema';
import { serializeDiscovery } from '@/lib/discovery/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';

/** GET /2.0/discovery?source_type=IMAP&email=… — the same lookup the connect pages use. */
export const GET = apiRoute({
  params: z.object({}),
  input: discoveryInput,
  handler: async ({ input }) => ({ body: serializeDiscovery(input.email, await discoverImapSettings(input.email)) }),
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
