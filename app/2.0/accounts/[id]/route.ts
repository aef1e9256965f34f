import { deleteAccount, updateAccountNames } from '@/lib/accounts/mutations';
import { serializeAccount } from '@/lib/accounts/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { countSyncedData } from '@/lib/messages/data';
import * as contract from './contract';

export const GET = apiRoute(contract.GET, async ({ db, account, baseUrl }) => {
  const counts = await countSyncedData(db, [account]);
  return { body: serializeAccount(account, baseUrl, counts.get(account.id)) };
});

// A miss after the scope lookup means the account went away meanwhile.
export const POST = apiRoute(contract.POST, async ({ db, account, input }) =>
  (await updateAccountNames(db, account, input))
    ? { body: { success: true as const } }
    : { ok: false, reason: 'account_not_found' },
);

/** Deletes the account, its sources and their synced data. */
export const DELETE = apiRoute(contract.DELETE, async ({ db, account }) =>
  (await deleteAccount(db, account))
    ? { body: { success: true as const } }
    : { ok: false, reason: 'account_not_found' },
);

export const PUT = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
