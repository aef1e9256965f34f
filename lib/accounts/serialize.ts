import type { z } from 'zod';
import type { accountJson } from '@/lib/accounts/schema';
import { unixSeconds } from '@/lib/clock';
import { serializeSource } from '@/lib/sources/serialize';
import type { AccountRow } from './data';

export const accountResourceUrl = (baseUrl: string, accountId: string) => `${baseUrl}/2.0/accounts/${accountId}`;

/** An account in Context.IO 2.0's shape (spec §8), with its sources. */
export function serializeAccount(
  account: AccountRow,
  baseUrl: string,
  counts: { nbMessages: number; nbFiles: number } = { nbMessages: 0, nbFiles: 0 },
) {
  return {
    id: account.id,
    username: account.username,
    created: unixSeconds(account.createdAt),
    suspended: unixSeconds(account.suspendedAt),
    email_addresses: account.emailAddresses,
    first_name: account.firstName,
    last_name: account.lastName,
    password_expired: 0,
    nb_messages: counts.nbMessages,
    nb_files: counts.nbFiles,
    sources: account.sources.map((source) => serializeSource(source, baseUrl)),
    resource_url: accountResourceUrl(baseUrl, account.id),
  } satisfies z.input<typeof accountJson>;
}
