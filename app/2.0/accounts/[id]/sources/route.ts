import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listSources } from '@/lib/sources/data';
import { serializeSource } from '@/lib/sources/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/sources (spec §9). Sources are added through connect tokens. */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => ({
  body: (await listSources(db, account, input)).map((source) => serializeSource(source, baseUrl)),
}));
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
