import { findAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import { notFound } from '@/lib/http/errors';
import { findSource } from '@/lib/sources/data';

/** Another developer's account is answered exactly like a missing one. */
export async function requireAccount(db: Db, developerId: string, accountId: string) {
  const account = await findAccount(db, developerId, accountId);
  if (!account) throw notFound(`account ${accountId} is invalid`);
  return account;
}

export async function requireSource(db: Db, developerId: string, accountId: string, label: string) {
  await requireAccount(db, developerId, accountId);
  const source = await findSource(db, developerId, accountId, label);
  if (!source) throw notFound(`source ${label} is invalid`);
  return source;
}
