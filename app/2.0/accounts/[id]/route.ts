import { z } from 'zod';
import { deleteAccount, updateAccountNames } from '@/lib/accounts/mutations';
import { accountIdParam, updateAccountInput } from '@/lib/accounts/schema';
import { serializeAccount } from '@/lib/accounts/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { notFound } from '@/lib/http/errors';
import { countSyncedData } from '@/lib/messages/data';
import { requireAccount } from '../../_shared/resources';

const params = z.object({ id: accountIdParam });

export const GET = apiRoute({
  params,
  input: z.object({}),
  handler: async ({ db, developerId, params, baseUrl }) => {
    const account = await requireAccount(db, developerId, params.id);
    const counts = await countSyncedData(db, [account.id]);
    return { body: serializeAccount(account, baseUrl, counts.get(account.id)) };
  },
});

export const POST = apiRoute({
  params,
  input: updateAccountInput,
  handler: async ({ db, developerId, params, input }) => {
    if (!(await updateAccountNames(db, developerId, params.id, input)))
      throw notFound(`account ${params.id} is invalid`);
    return { body: { success: true } };
  },
});

/** Deletes the account, its sources and their synced data. */
export const DELETE = apiRoute({
  params,
  input: z.object({}),
  handler: async ({ db, developerId, params }) => {
    if (!(await deleteAccount(db, developerId, params.id))) throw notFound(`account ${params.id} is invalid`);
    return { body: { success: true } };
  },
});

export const PUT = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
