import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { notFound } from '@/lib/http/errors';
import { listSources } from '@/lib/sources/data';
import { listSourcesInput } from '@/lib/sources/schema';
import { serializeSource } from '@/lib/sources/serialize';

/** GET /2.0/accounts/:id/sources (spec §9). Sources are added through connect tokens. */
export const GET = apiRoute({
  params: z.object({ id: accountIdParam }),
  input: listSourcesInput,
  handler: async ({ db, developerId, params, input, baseUrl }) => {
    const sources = await listSources(db, developerId, params.id, input);
    if (!sources) throw notFound(`account ${params.id} is invalid`);
    return { body: sources.map((source) => serializeSource(source, baseUrl)) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
