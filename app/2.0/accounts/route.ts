import { listAccounts } from '@/lib/accounts/data';
import { serializeAccount } from '@/lib/accounts/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { countSyncedData } from '@/lib/messages/data';
import * as contract from './contract';

/** GET /2.0/accounts (spec §8). Accounts are created through connect tokens. */
export const GET = apiRoute(contract.GET, async ({ db, developerId, input, baseUrl }) => {
  const accounts = await listAccounts(db, developerId, input);
  const counts = await countSyncedData(db, accounts);
  return { body: accounts.map((account) => serializeAccount(account, baseUrl, counts.get(account.id))) };
});
export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
