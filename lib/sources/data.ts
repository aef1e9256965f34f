import type { OwnedAccount } from '@/lib/accounts/data';
import { decryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { brandOwned, type Owned } from '@/lib/db/owned';
import type { ImapLogin } from '@/lib/imap/verify';
import { sourceSyncSelect } from '@/lib/mailbox-sync/data';
import { refreshSourceAccess } from './oauth-mutations';
import { mailboxLogin, type SourceFilters } from './schema';

/** Every source column an API response may show: never the credentials. */
export const sourcePublicSelect = {
  id: true,
  accountId: true,
  label: true,
  email: true,
  server: true,
  port: true,
  tlsMode: true,
  username: true,
  authenticationType: true,
  status: true,
  statusMessage: true,
  statusChangedAt: true,
  callbackUrl: true,
  statusCallbackUrl: true,
  syncAllFolders: true,
  syncFolders: true,
  syncFlags: true,
  rawFileList: true,
  expungeOnDeletedFlag: true,
  createdAt: true,
  sync: { select: sourceSyncSelect },
} satisfies Prisma.SourceSelect;

export type SourceRow = Prisma.SourceGetPayload<{ select: typeof sourcePublicSelect }>;

/** A source of one of the request's developer's accounts: only findSource and listSources produce it. */
export type OwnedSource = Owned<SourceRow>;

/** The `status` / `status_ok` filters as a Prisma condition on sources. */
export function sourceStatusWhere(filters: SourceFilters): Prisma.SourceWhereInput {
  const conditions: Prisma.SourceWhereInput[] = [];
  if (filters.status) conditions.push({ status: filters.status });
  if (filters.status_ok === true) conditions.push({ status: 'OK' });
  if (filters.status_ok === false) conditions.push({ status: { not: 'OK' } });
  return conditions.length > 0 ? { AND: conditions } : {};
}

/** Sources are listed oldest first, so label `0` (the first source) is stable. */
export const sourceOrder = [{ createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.SourceOrderByWithRelationInput[];

export async function listSources(db: Db, account: OwnedAccount, filters: SourceFilters): Promise<OwnedSource[]> {
  const rows = await db.source.findMany({
    where: { accountId: account.id, ...sourceStatusWhere(filters) },
    orderBy: sourceOrder,
    select: sourcePublicSelect,
  });
  return rows.map((row) => brandOwned(row, account.developerId));
}

/**
 * The one ownership check for a source, in one query (the account's owner is a
 * join): one of the developer's accounts' sources, by label; `0` is the first.
 */
export async function findSource(
  db: Db,
  developerId: string,
  accountId: string,
  label: string,
): Promise<OwnedSource | null> {
  const scope = { accountId, account: { developerId } };
  const row =
    label === '0'
      ? await db.source.findFirst({ where: scope, orderBy: sourceOrder, select: sourcePublicSelect })
      : await db.source.findFirst({ where: { ...scope, label }, select: sourcePublicSelect });
  return row && brandOwned(row, developerId);
}

/** The columns a login to a stored source needs; spread into a caller's select (sync, status check, content). */
export const sourceLoginSelect = {
  id: true,
  server: true,
  port: true,
  tlsMode: true,
  username: true,
  authenticationType: true,
  credentialCiphertext: true,
  oauthProviderId: true,
  accessTokenCiphertext: true,
  accessTokenExpiresAt: true,
  account: { select: { developerId: true } },
} satisfies Prisma.SourceSelect;

export type SourceLoginRow = Prisma.SourceGetPayload<{ select: typeof sourceLoginSelect }>;

/** A login to hand to imapflow, or why there is none (an OAuth2 grant that could not be refreshed). */
export type SourceLogin =
  | { ok: true; login: ImapLogin }
  /** auth_failed: the grant is dead and the source is now INVALID_CREDENTIALS; provider_down: try later. */
  | { ok: false; failure: 'auth_failed' | 'provider_down'; message: string };

/** Refresh an access token this long before it expires, so a sync never starts with one about to lapse. */
export const ACCESS_TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * The IMAP login of a stored source: the one place a mailbox credential is
 * decrypted (the linter keeps lib/crypto/secrets out of other domains). An
 * OAuth2 source gets its access token, refreshed first when it is about to
 * expire, or when the mail server refused it (`forceRefresh`: revoked early,
 * clock skew); refreshSourceAccess stores the new one. The secret lives in the
 * returned object only as long as the caller holds it.
 */
export async function loginForSource(
  db: Db,
  source: SourceLoginRow,
  now: Date,
  options: { forceRefresh?: boolean } = {},
): Promise<SourceLogin> {
  if (source.authenticationType === 'password') {
    return { ok: true, login: mailboxLogin(source, decryptSecret(source.credentialCiphertext)) };
  }
  const expiresAt = source.accessTokenExpiresAt?.getTime() ?? 0;
  const isFresh = expiresAt - now.getTime() > ACCESS_TOKEN_REFRESH_MARGIN_MS;
  if (source.accessTokenCiphertext && isFresh && !options.forceRefresh) {
    return { ok: true, login: mailboxLogin(source, { accessToken: decryptSecret(source.accessTokenCiphertext) }) };
  }
  return refreshSourceAccess(db, source, now);
}

/** The source's latest status changes, newest first (the dashboard's source page). */
export function listSourceStatusChanges(db: Db, source: OwnedSource, limit = 10) {
  return db.sourceStatusChange.findMany({
    where: { sourceId: source.id },
    orderBy: [{ changedAt: 'desc' }, { id: 'desc' }],
    take: limit,
    select: { id: true, previousStatus: true, status: true, reason: true, changedAt: true },
  });
}
