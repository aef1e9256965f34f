import { type AccountRow, accountSelect, type OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import { type ConnectMode, Prisma } from '@/lib/db/generated/client';
import type { NonceClaim, NonceOutcomeColumns } from '@/lib/developers/mutations';
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

/**
 * The API's token reads in SQL of their own (issue 14): the three hottest
 * statements of the API, with the request's OAuth nonce folded in (one round
 * trip per request instead of two) and none of the ORM's per-query work. Kept
 * beside connectTokenSelect (their row type) and liveTokenWhere (the same rule in
 * Prisma's terms, for the delete and the dashboard).
 */
function scopeSql(developerId: string, scope: ConnectTokenScope, purpose: 'find' | 'list'): Prisma.Sql {
  if (scope.level === 'top') {
    // GET /2.0/connect_tokens/:token also answers for the developer's account-level tokens (spec §5);
    // the top-level list shows only top-level tokens.
    return purpose === 'find'
      ? Prisma.sql`t.developer_id = ${developerId}`
      : Prisma.sql`t.developer_id = ${developerId} AND t.target_account_id IS NULL`;
  }
  const { targetAccountId, targetSourceId } = scopeTargets(scope);
  return Prisma.sql`t.developer_id = ${developerId} AND t.target_account_id = ${targetAccountId}
    AND ${targetSourceId === null ? Prisma.sql`t.target_source_id IS NULL` : Prisma.sql`t.target_source_id = ${targetSourceId}`}`;
}

interface ConnectTokenSqlRow extends NonceOutcomeColumns {
  id: string | null;
  target_account_id: string | null;
  target_source_label: string | null;
  email: string;
  first_name: string;
  last_name: string;
  first_name_hidden: boolean;
  last_name_hidden: boolean;
  callback_url: string;
  source_callback_url: string;
  status_callback_url: string;
  source_sync_all_folders: boolean;
  source_sync_folders: string;
  source_sync_flags: boolean;
  source_raw_file_list: boolean;
  source_expunge_on_deleted_flag: boolean;
  locale: string;
  mode: ConnectMode;
  redirect_on_error: boolean;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  account_id: string | null;
  source_label: string | null;
}

/**
 * Live tokens of a scope in list order; with an unsettled nonce the same statement
 * records it (a LEFT JOIN keeps one row to carry nonce_fresh when no token matches).
 */
async function selectConnectTokens(
  db: Db,
  where: Prisma.Sql,
  page: { offset: number; limit: number },
  now: Date,
  nonce: NonceClaim | undefined,
): Promise<ConnectTokenBaseRow[]> {
  const claim = nonce && !nonce.isSettled ? nonce : undefined;
  const rows = await db.$queryRaw<ConnectTokenSqlRow[]>`
    ${claim ? Prisma.sql`WITH ${claim.cte()}` : Prisma.empty}
    SELECT ${claim ? claim.columns() : Prisma.sql`1 AS nonce_fresh, NULL::int AS api_count, NULL::timestamp(3) AS api_resets_at`}, page.*
    FROM (SELECT 1) AS one LEFT JOIN LATERAL (
      SELECT t.id, t.target_account_id, ts.label AS target_source_label, t.email, t.first_name, t.last_name,
        t.first_name_hidden, t.last_name_hidden, t.callback_url, t.source_callback_url, t.status_callback_url,
        t.source_sync_all_folders, t.source_sync_folders, t.source_sync_flags, t.source_raw_file_list,
        t.source_expunge_on_deleted_flag, t.locale, t.mode, t.redirect_on_error, t.created_at, t.expires_at, t.used_at, t.account_id, s.label AS source_label
      FROM connect_tokens t
      LEFT JOIN sources ts ON ts.id = t.target_source_id
      LEFT JOIN sources s ON s.id = t.source_id
      WHERE ${where} AND (t.used_at IS NOT NULL OR t.expires_at > ${now})
      ORDER BY t.created_at ASC, t.id ASC
      LIMIT ${page.limit} OFFSET ${page.offset}
    ) AS page ON true`;
  if (claim) claim.settleWith(rows[0]);
  const tokens: ConnectTokenBaseRow[] = [];
  for (const row of rows) {
    if (row.id === null) continue;
    tokens.push({
      id: row.id,
      targetAccountId: row.target_account_id,
      targetSource: row.target_source_label === null ? null : { label: row.target_source_label },
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      firstNameHidden: row.first_name_hidden,
      lastNameHidden: row.last_name_hidden,
      callbackUrl: row.callback_url,
      sourceCallbackUrl: row.source_callback_url,
      statusCallbackUrl: row.status_callback_url,
      sourceSyncAllFolders: row.source_sync_all_folders,
      sourceSyncFolders: row.source_sync_folders,
      sourceSyncFlags: row.source_sync_flags,
      sourceRawFileList: row.source_raw_file_list,
      sourceExpungeOnDeletedFlag: row.source_expunge_on_deleted_flag,
      locale: row.locale,
      mode: row.mode,
      redirectOnError: row.redirect_on_error,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      usedAt: row.used_at,
      accountId: row.account_id,
      source: row.source_label === null ? null : { label: row.source_label },
    });
  }
  return tokens;
}

/** One live token of the scope; `nonce` (the API's) is recorded by the same statement. */
export async function findConnectToken(
  db: Db,
  developerId: string,
  scope: ConnectTokenScope,
  token: string,
  now: Date,
  nonce?: NonceClaim,
): Promise<ConnectTokenRow | null> {
  const where = Prisma.sql`t.id = ${token} AND ${scopeSql(developerId, scope, 'find')}`;
  const [row] = await selectConnectTokens(db, where, { offset: 0, limit: 1 }, now, nonce);
  return row ? ((await withAccounts(db, [row]))[0] ?? null) : null;
}

/** A page of the scope's live tokens, oldest first; `nonce` (the API's) is recorded by the same statement. */
export async function listConnectTokens(
  db: Db,
  developerId: string,
  scope: ConnectTokenScope,
  input: ListConnectTokensInput,
  now: Date,
  nonce?: NonceClaim,
): Promise<ConnectTokenRow[]> {
  const rows = await selectConnectTokens(db, scopeSql(developerId, scope, 'list'), input, now, nonce);
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
