import { listAccounts } from '@/lib/accounts/data';
import { createAccount } from '@/lib/accounts/mutations';
import { hasSourceFields } from '@/lib/accounts/schema';
import { accountResourceUrl, serializeAccount } from '@/lib/accounts/serialize';
import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { countSyncedData } from '@/lib/messages/data';
import { addServerSideSource } from '@/lib/sources/mutations';
import { sourceResourceUrl } from '@/lib/sources/serialize';
import { addSourceDeps, checkFailedBody } from '../_shared/server-side-sources';
import * as contract from './contract';

/** GET /2.0/accounts (spec §8). */
export const GET = apiRoute(contract.GET, async ({ db, developerId, input, baseUrl }) => {
  const accounts = await listAccounts(db, developerId, input);
  const counts = await countSyncedData(db, accounts);
  return { body: accounts.map((account) => serializeAccount(account, baseUrl, counts.get(account.id))) };
});
/** POST /2.0/accounts (spec §8): an account, and its first source when one is given (its login checked first). */
export const POST = apiRoute(contract.POST, async ({ db, developerId, input, baseUrl, now }) => {
  const names = { firstName: input.first_name ?? '', lastName: input.last_name ?? '' };
  if (!hasSourceFields(input)) {
    const { id } = await createAccount(db, developerId, { email: input.email, ...names }, now);
    return { body: { success: true as const, id, resource_url: accountResourceUrl(baseUrl, id) } };
  }
  const added = await addServerSideSource(
    db,
    developerId,
    { kind: 'new_account', ...names },
    input,
    addSourceDeps(db, now),
  );
  if (!added.ok) return added.reason === 'source_check_failed' ? checkFailedBody(added) : added;
  return {
    body: {
      success: true as const,
      id: added.accountId,
      resource_url: accountResourceUrl(baseUrl, added.accountId),
      source: { label: added.label, resource_url: sourceResourceUrl(baseUrl, added.accountId, added.label) },
    },
  };
});
export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
