import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { brandOwned, type Owned } from '@/lib/db/owned';
import { sourceOrder, sourcePublicSelect, sourceStatusWhere } from '@/lib/sources/data';
import type { SourceFilters } from '@/lib/sources/schema';
import type { ListAccountsInput } from './schema';

export function accountSelect(sourceFilters: SourceFilters = {}) {
  return {
    id: true,
    username: true,
    firstName: true,
    lastName: true,
    emailAddresses: true,
    createdAt: true,
    suspendedAt: true,
    sources: { where: sourceStatusWhere(sourceFilters), orderBy: sourceOrder, select: sourcePublicSelect },
  } satisfies Prisma.AccountSelect;
}

export type AccountRow = Prisma.AccountGetPayload<{ select: ReturnType<typeof accountSelect> }>;

/** One of the request's developer's accounts: only findAccount and listAccounts produce it. */
export type OwnedAccount = Owned<AccountRow>;

/** Accounts are listed oldest first with a stable tie-break, so offsets page consistently. */
const accountOrder = [{ createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.AccountOrderByWithRelationInput[];

type AccountFilters = Pick<ListAccountsInput, 'email' | 'status' | 'status_ok'>;

function accountsWhere(developerId: string, input: AccountFilters): Prisma.AccountWhereInput {
  const where: Prisma.AccountWhereInput = { developerId };
  if (input.email) where.emailAddresses = { has: input.email.toLowerCase() };
  // The status filters pick accounts by their sources and trim each account's list (spec §8).
  if (input.status || input.status_ok !== undefined) {
    where.sources = { some: sourceStatusWhere({ status: input.status, status_ok: input.status_ok }) };
  }
  return where;
}

export async function listAccounts(db: Db, developerId: string, input: ListAccountsInput): Promise<OwnedAccount[]> {
  const filters: SourceFilters = { status: input.status, status_ok: input.status_ok };
  const rows = await db.account.findMany({
    where: accountsWhere(developerId, input),
    orderBy: accountOrder,
    skip: input.offset,
    take: input.limit,
    select: accountSelect(filters),
  });
  return rows.map((row) => brandOwned(row, developerId));
}

/** The one ownership check for an account: another developer's account is as missing as an unknown one. */
export async function findAccount(db: Db, developerId: string, accountId: string): Promise<OwnedAccount | null> {
  const row = await db.account.findFirst({ where: { id: accountId, developerId }, select: accountSelect() });
  return row && brandOwned(row, developerId);
}

/** How many accounts listAccounts would page through with the same filters (the dashboard's pager). */
export async function countAccounts(db: Db, developerId: string, input: AccountFilters): Promise<number> {
  return db.account.count({ where: accountsWhere(developerId, input) });
}
