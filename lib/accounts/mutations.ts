import { randomBytes } from 'node:crypto';
import type { Db } from '@/lib/db/client';
import { newAccountId } from '@/lib/ids';
import type { OwnedAccount } from './data';
import type { UpdateAccountInput } from './schema';

/** Context.IO's internal account username, e.g. `jane.example.com_8f2c61d0a4b3e917`. */
export function newAccountUsername(email: string): string {
  const readable = email
    .toLowerCase()
    .replace('@', '.')
    .replace(/[^a-z0-9._-]/g, '')
    .slice(0, 200);
  return `${readable}_${randomBytes(8).toString('hex')}`;
}

/** Returns false when the account went away since it was looked up. */
export async function updateAccountNames(db: Db, account: OwnedAccount, input: UpdateAccountInput): Promise<boolean> {
  const { count } = await db.account.updateMany({
    where: { id: account.id, developerId: account.developerId },
    data: {
      ...(input.first_name !== undefined && { firstName: input.first_name }),
      ...(input.last_name !== undefined && { lastName: input.last_name }),
    },
  });
  return count === 1;
}

/** Deletes the account with its sources (and, later, their synced data) by cascade. */
export async function deleteAccount(db: Db, account: OwnedAccount): Promise<boolean> {
  const { count } = await db.account.deleteMany({ where: { id: account.id, developerId: account.developerId } });
  return count === 1;
}

/** POST /2.0/accounts without a source (spec §8): an account holding only its address. */
export async function createAccount(
  db: Db,
  developerId: string,
  input: { email: string; firstName: string; lastName: string },
  now: Date,
): Promise<{ id: string }> {
  const id = newAccountId();
  await db.account.create({
    data: {
      id,
      developerId,
      username: newAccountUsername(input.email),
      firstName: input.firstName,
      lastName: input.lastName,
      emailAddresses: [input.email],
      createdAt: now,
    },
  });
  return { id };
}
