import { listFiles } from '@/lib/files/data';
import { serializeFile } from '@/lib/files/serialize';
import { apiRoute, methodNotAllowed } from '@/lib/http/api-route';
import * as contract from './contract';

/** GET /2.0/accounts/:id/files (spec §10): attachment metadata. */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => ({
  body: (await listFiles(db, account, input)).map((file) => serializeFile(file, baseUrl)),
}));
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
