import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listThreadIds } from '@/lib/threads/data';
import { threadResourceUrl } from '@/lib/threads/serialize';
import * as contract from './contract';

/** GET /2.0/accounts/:id/threads (spec §16): resource URLs, as Context.IO listed them. */
export const GET = apiRoute(contract.GET, async ({ db, account, input, baseUrl }) => {
  const ids = await listThreadIds(db, account, input);
  return { body: ids.map((threadId) => threadResourceUrl(baseUrl, account.id, threadId)) };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
