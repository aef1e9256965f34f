import { listFiles } from '@/lib/files/data';
import { serializeFile } from '@/lib/files/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import * as contract from './contract';

/** GET /2.0/accounts/:id/files (spec §10): attachment metadata. */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => ({
  body: (await listFiles(db, account, input)).map((file) => serializeFile(file, baseUrl)),
}));
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
