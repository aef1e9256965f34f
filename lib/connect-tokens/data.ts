import { type AccountRow, accountSelect, type OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import type { OwnedSource } from '@/lib/sources/data';
import type { DashboardTokenFilters, ListConnectTokensInput } from './schema';

export const connectTokenSelect = {
  id: true,
  targetAccountId: true,
  targetSource: { select: { label: true } },
  email: true,
  firstName: true,
  lastName: true,
  firstNameHidden: true,
  lastNameHidden: true,
  callbackUrl: true,
  sourceCallbackUrl: true,
  statusCallbackUrl: true,
  sourceSyncAllFolders: true,
  sourceSyncFolders: true,
  sourceSyncFlags: true,
  sourceRawFileList: true,
  sourceExpungeOnDeletedFlag: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  accountId: true,
  source: { select: { label: true } },
  locale: true,
  mode: true,
  redirectOnError: true,
} satisfies Prisma.ConnectTokenSelect;

type ConnectTokenBaseRow = Prisma.ConnectTokenGetPayload<{ select: typeof connectTokenSelect }>;

/** A token with the account it produced (null until used, or once the account is deleted). */
export type ConnectTokenRow = ConnectTokenBaseRow & { account: AccountRow | null };

/**
 * The account is loaded only for used tokens, in one query for a whole list:
 * joining it into every token read made unused-token reads several times slower.
 */
async function withAccounts(db: Db, rows: ConnectTokenBaseRow[]): Promise<ConnectTokenRow[]> {
  const accountIds = [...new Set(rows.flatMap((row) => (row.usedAt && row.accountId ? [row.accountId] : [])))];
  const accounts =
    accountIds.length === 0
      ? []
      : await db.account.findMany({ where: { id: { in: accountIds } }, select: accountSelect() });
  const byId = new Map(accounts.map((account) => [account.id, account]));
  return rows.map((row) => ({ ...row, account: (row.accountId && byId.get(row.accountId)) || null }));
}

/**
 * Where a token is addressed: top level, under an account, or under one of its
 * sources. The account and source are owned rows, so the scope is proven once,
 * by the lookup that produced them, and never looked up again here.
 */
export type ConnectTokenScope =
  | { level: 'top' }
  | { level: 'account'; account: OwnedAccount }
  | { level: 'source'; source: OwnedSource };

/** The account and source a token in this scope targets, as stored on the token. */
export function scopeTargets(scope: ConnectTokenScope): {
  targetAccountId: string | null;
  targetSourceId: string | null;
} {
  switch (scope.level) {
    case 'top':
      return { targetAccountId: null, targetSourceId: null };
    case 'account':
      return { targetAccountId: scope.account.id, targetSourceId: null };
    case 'source':
      return { targetAccountId: scope.source.accountId, targetSourceId: scope.source.id };
  }
}

/** A token is visible while unused and unexpired, or once used; an expired one is gone at once. */
export const liveTokenWhere = (now: Date): Prisma.ConnectTokenWhereInput => ({
  OR: [{ usedAt: { not: null } }, { expiresAt: { gt: now } }],
});

function scopeWhere(developerId: string, scope: ConnectTokenScope): Prisma.ConnectTokenWhereInput {
  switch (scope.level) {
    case 'top':
      // GET /2.0/connect_tokens/:token also answers for the developer's account-level tokens (spec §5).
      return { developerId };
    case 'account':
    case 'source':
      return { developerId, ...scopeTargets(scope) };
  }
}

function listScopeWhere(developerId: string, scope: ConnectTokenScope): Prisma.ConnectTokenWhereInput {
  // The top-level list shows only top-level tokens.
  return scope.level === 'top' ? { developerId, targetAccountId: null } : scopeWhere(developerId, scope);
}

export async function findConnectToken(
  db: Db,
  developerId: string,
  scope: ConnectTokenScope,
  token: string,
  now: Date,
): Promise<ConnectTokenRow | null> {
  const row = await db.connectToken.findFirst({
    where: { id: token, ...scopeWhere(developerId, scope), AND: [liveTokenWhere(now)] },
    select: connectTokenSelect,
  });
  return row ? ((await withAccounts(db, [row]))[0] ?? null) : null;
}

export async function listConnectTokens(
  db: Db,
  developerId: string,
  scope: ConnectTokenScope,
  input: ListConnectTokensInput,
  now: Date,
): Promise<ConnectTokenRow[]> {
  const rows = await db.connectToken.findMany({
    where: { ...listScopeWhere(developerId, scope), AND: [liveTokenWhere(now)] },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    skip: input.offset,
    take: input.limit,
    select: connectTokenSelect,
  });
  return withAccounts(db, rows);
}

/** The dashboard's condition for one status; kept beside liveTokenWhere so the two cannot disagree. */
function statusWhere(status: DashboardTokenFilters['status'], now: Date): Prisma.ConnectTokenWhereInput {
  switch (status) {
    case 'used':
      return { usedAt: { not: null } };
    case 'unused':
      return { usedAt: null, expiresAt: { gt: now } };
    case 'expired':
      return { usedAt: null, expiresAt: { lte: now } };
    default:
      return {};
  }
}

/** One row of the dashboard's token list. */
export const dashboardTokenSelect = {
  id: true,
  email: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  targetAccountId: true,
  targetSource: { select: { label: true } },
  accountId: true,
  flow: { select: { email: true } },
} satisfies Prisma.ConnectTokenSelect;
export type DashboardTokenRow = Prisma.ConnectTokenGetPayload<{ select: typeof dashboardTokenSelect }>;

/**
 * Every token of the developer at any level, newest first, with a status filter
 * and an email search (the address the partner gave, or the one the end user typed).
 */
export async function listConnectTokensForDashboard(
  db: Db,
  developerId: string,
  filters: DashboardTokenFilters,
  page: { offset: number; limit: number },
  now: Date,
): Promise<{ rows: DashboardTokenRow[]; total: number }> {
  const where: Prisma.ConnectTokenWhereInput = { developerId, ...statusWhere(filters.status, now) };
  if (filters.email) {
    where.OR = [
      { email: { contains: filters.email, mode: 'insensitive' } },
      { flow: { email: { contains: filters.email, mode: 'insensitive' } } },
    ];
  }
  const [rows, total] = await Promise.all([
    db.connectToken.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: page.offset,
      take: page.limit,
      select: dashboardTokenSelect,
    }),
    db.connectToken.count({ where }),
  ]);
  return { rows, total };
}

/** One token with the end user's progress, expired ones included, for the dashboard's detail page. */
export async function findConnectTokenProgress(db: Db, developerId: string, token: string) {
  return db.connectToken.findFirst({
    where: { id: token, developerId },
    select: {
      ...dashboardTokenSelect,
      callbackUrl: true,
      flow: { select: { email: true, openedAt: true, settingsFoundAt: true, cancelledAt: true } },
    },
  });
}
