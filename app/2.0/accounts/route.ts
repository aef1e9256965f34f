import { z } from 'zod';
import { listAccounts } from '@/lib/accounts/data';
import { listAccountsInput } from '@/lib/accounts/schema';
import { serializeAccount } from '@/lib/accounts/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { countSyncedData } from '@/lib/messages/data';

/** GET /2.0/accounts (spec §8). Accounts are created through connect tokens. */
export const GET = apiRoute({
  params: z.object({}),
  input: listAccountsInput,
  handler: async ({ db, developerId, input, baseUrl }) => {
    const accounts = await listAccounts(db, developerId, input);
    const counts = await countSyncedData(
      db,
      accounts.map((account) => account.id),
    );
    return { body: accounts.map((account) => serializeAccount(account, baseUrl, counts.get(account.id))) };
  },
});
export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
