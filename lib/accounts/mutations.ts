import { randomBytes } from 'node:crypto';
import type { Db } from '@/lib/db/client';
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

/** Returns false when the account is not the developer's (or does not exist). */
export async function updateAccountNames(
  db: Db,
  developerId: string,
  accountId: string,
  input: UpdateAccountInput,
): Promise<boolean> {
  const { count } = await db.account.updateMany({
    where: { id: accountId, developerId },
    data: {
      ...(input.first_name !== undefined && { firstName: input.first_name }),
      ...(input.last_name !== undefined && { lastName: input.last_name }),
    },
  });
  return count === 1;
}

/** Deletes the account with its sources (and, later, their synced data) by cascade. */
export async function deleteAccount(db: Db, developerId: string, accountId: string): Promise<boolean> {
  const { count } = await db.account.deleteMany({ where: { id: accountId, developerId } });
  return count === 1;
}
