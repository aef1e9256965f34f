import type { OwnedAccount } from '@/lib/accounts/data';
import { newAccountUsername } from '@/lib/accounts/mutations';
import { storeCallback } from '@/lib/callbacks/mutations';
import { CALLBACK_HOST_CHECK_TIMEOUT_MS, type CallbackHostGuard } from '@/lib/callbacks/schema';
import { currentTime } from '@/lib/clock';
import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { findDisallowedCallbackUrl } from '@/lib/developers/schema';
import { newAccountId, newRowId } from '@/lib/ids';
import type { ImapCheckResult, ImapLogin } from '@/lib/imap/verify';
import { transactionWithDeliveries } from '@/lib/jobs/queue';
import { findPrivateUrlHost } from '@/lib/network/guard';
import { refreshAccessToken } from '@/lib/oauth/client';
import { oauthProviderSpec } from '@/lib/oauth/providers';
import { findOAuthProvider, oauthClientCredentials } from '@/lib/oauth-providers/data';
import { loginForSource, type OwnedSource, sourceLoginSelect, sourceOrder } from './data';
import {
  type MailboxSettings,
  mailboxLogin,
  type ServerSideSourceInput,
  type SourceStatus,
  type UpdateSourceInput,
} from './schema';

/** `localpart::provider` for known providers (`jane::gmail`), else `username::server` (spec §9). */
export function sourceLabelFor(mailbox: Pick<MailboxSettings, 'email' | 'username' | 'server' | 'provider'>): string {
  const label = mailbox.provider
    ? `${mailbox.email.split('@')[0]}::${mailbox.provider}`
    : `${mailbox.username}::${mailbox.server}`;
  return label.toLowerCase();
}

/**
 * The stored form of a mailbox credential: every write of one goes through
 * here (new source, re-connected source, a new password over the API).
 */
function sealedCredential(
  authenticationType: MailboxSettings['authenticationType'],
  secret: string,
  oauth?: MailboxSettings['oauth'],
) {
  return {
    authenticationType,
    credentialCiphertext: encryptSecret(secret),
    // A password source keeps no OAuth leftovers (a source re-connected from OAuth to a password).
    oauthProviderId: oauth?.providerId ?? null,
    accessTokenCiphertext: oauth ? encryptSecret(oauth.accessToken) : null,
    accessTokenExpiresAt: oauth?.accessTokenExpiresAt ?? null,
  };
}

/** Options a token passes on to the source it creates. */
export interface SourceOptions {
  callbackUrl: string;
  statusCallbackUrl: string;
  syncAllFolders: boolean;
  syncFolders: string;
  syncFlags: boolean;
  rawFileList: boolean;
  expungeOnDeletedFlag: boolean;
}

/**
 * Inserts a source inside the caller's transaction. Labels are unique per
 * account: a clash (same local part on two servers of one provider) gets a suffix.
 */
export async function insertSource(
  tx: Prisma.TransactionClient,
  accountId: string,
  mailbox: MailboxSettings,
  options: SourceOptions,
): Promise<{ id: string; label: string }> {
  const baseLabel = sourceLabelFor(mailbox);
  const taken = new Set(
    (await tx.source.findMany({ where: { accountId, label: { startsWith: baseLabel } }, select: { label: true } })).map(
      (row) => row.label,
    ),
  );
  let label = baseLabel;
  for (let suffix = 2; taken.has(label); suffix++) label = `${baseLabel}-${suffix}`;
  const id = newRowId();
  await tx.source.create({
    data: {
      id,
      accountId,
      label,
      email: mailbox.email.toLowerCase(),
      server: mailbox.server.toLowerCase(),
      port: mailbox.port,
      tlsMode: mailbox.tlsMode,
      username: mailbox.username,
      ...sealedCredential(mailbox.authenticationType, mailbox.secret, mailbox.oauth),
      ...options,
    },
  });
  return { id, label };
}

/**
 * A re-connect (a source-level connect token): the source gets the settings and
 * credential just proven. Inside the caller's transaction; the caller then sets
 * it OK with changeSourceStatus once committed (its callback must not precede the commit);
 * false when the source is gone (or moved to another account).
 */
export async function reauthorizeSource(
  tx: Prisma.TransactionClient,
  target: { sourceId: string; accountId: string },
  mailbox: MailboxSettings,
): Promise<{ id: string; label: string } | null> {
  const updated = await tx.source.updateManyAndReturn({
    where: { id: target.sourceId, accountId: target.accountId },
    data: {
      server: mailbox.server.toLowerCase(),
      port: mailbox.port,
      tlsMode: mailbox.tlsMode,
      username: mailbox.username,
      ...sealedCredential(mailbox.authenticationType, mailbox.secret, mailbox.oauth),
    },
    select: { id: true, label: true },
  });
  return updated[0] ?? null;
}

export type UpdateSourceResult =
  | { ok: true }
  /** The developer's settings allow callbacks only under some prefixes (as for new connect tokens). */
  | { ok: false; reason: 'callback_url_not_allowed'; field: string; prefixes: string[] }
  /** status_callback_url's host is a private or local address (as for new connect tokens). */
  | { ok: false; reason: 'callback_url_private'; field: string; host: string }
  | { ok: false; reason: 'imap_unavailable'; message: string };

export interface UpdateSourceDeps {
  /** A live IMAP login (lib/imap/verify.ts), for force_status_check. */
  verify: (login: ImapLogin) => Promise<ImapCheckResult>;
  /** Whether status_callback_url may name a private host (MAILPORT_ALLOW_PRIVATE_HOSTS). */
  callbackHosts: CallbackHostGuard;
  now: Date;
}

/**
 * The one status transition of a source (the live sync, the sync job, a status
 * check, a re-connect, OAuth's revoked refresh token all come here): sets the
 * status and its message, and when the status really changes records it with
 * its time and POSTs the developer's status_callback_url with the old and new
 * status (spec §12). The row is locked while the old status is read, so two
 * concurrent changes are two ordered transitions, never one lost callback.
 * Returns the previous status, or null when nothing changed (or the source is gone).
 */
export async function changeSourceStatus(
  db: Db,
  source: { id: string },
  next: SourceStatus,
  reason: string,
  now: Date = currentTime(),
): Promise<SourceStatus | null> {
  const message = next === 'OK' ? '' : reason;
  // The change and its callback commit together: a crash cannot keep one and lose the other.
  const changed = await transactionWithDeliveries(db, async (tx, queueDelivery) => {
    const [row] = await tx.$queryRaw<{ status: SourceStatus; status_callback_url: string }[]>`
      SELECT status, status_callback_url FROM sources WHERE id = ${source.id} FOR UPDATE`;
    if (!row) return null;
    if (row.status === next) {
      await tx.source.update({ where: { id: source.id }, data: { statusMessage: message } });
      return null;
    }
    await tx.source.update({
      where: { id: source.id },
      data: { status: next, statusMessage: message, statusChangedAt: now },
    });
    await tx.sourceStatusChange.create({
      data: { id: newRowId(), sourceId: source.id, previousStatus: row.status, status: next, reason, changedAt: now },
    });
    await storeCallback(
      tx,
      {
        sourceId: source.id,
        event: 'status_changed',
        url: row.status_callback_url,
        status: next,
        previousStatus: row.status,
        failureMessage: message,
        now,
      },
      queueDelivery,
    );
    return { previous: row.status };
  });
  if (!changed) return null;
  return changed.previous;
}

/** What a failed live login means for the source's status. */
export function statusForImapFailure(failure: string): SourceStatus {
  return failure === 'auth_failed' ? 'INVALID_CREDENTIALS' : 'CONNECTION_IMPOSSIBLE';
}

/** POST /2.0/accounts/:id/sources/:label. */
export async function updateSource(
  db: Db,
  source: OwnedSource,
  input: UpdateSourceInput,
  deps: UpdateSourceDeps,
): Promise<UpdateSourceResult> {
  if (input.status_callback_url) {
    const { callbackUrlPrefixes: prefixes } = await db.developer.findUniqueOrThrow({
      where: { id: source.developerId },
      select: { callbackUrlPrefixes: true },
    });
    const field = findDisallowedCallbackUrl(prefixes, { status_callback_url: input.status_callback_url });
    if (field) return { ok: false, reason: 'callback_url_not_allowed', field, prefixes };
    const privateUrl = await findPrivateUrlHost(
      { status_callback_url: input.status_callback_url },
      { timeoutMs: CALLBACK_HOST_CHECK_TIMEOUT_MS, ...deps.callbackHosts },
    );
    if (privateUrl) return { ok: false, reason: 'callback_url_private', ...privateUrl };
  }
  const data: Prisma.SourceUpdateInput = {};
  if (input.password !== undefined) {
    Object.assign(data, sealedCredential('password', input.password));
  }
  if (input.sync_all_folders !== undefined) data.syncAllFolders = input.sync_all_folders;
  if (input.expunge_on_deleted_flag !== undefined) data.expungeOnDeletedFlag = input.expunge_on_deleted_flag;
  if (input.status_callback_url !== undefined) data.statusCallbackUrl = input.status_callback_url;
  if (Object.keys(data).length > 0) await db.source.update({ where: { id: source.id }, data });
  if (input.status === true) await changeSourceStatus(db, source, 'OK', 'status reset over the API', deps.now);

  if (input.force_status_check) {
    const row = await db.source.findUniqueOrThrow({ where: { id: source.id }, select: sourceLoginSelect });
    const credentials = await loginForSource(db, row, deps.now);
    const check: ImapCheckResult = credentials.ok
      ? await deps.verify(credentials.login)
      : {
          ok: false,
          failure: credentials.failure === 'auth_failed' ? 'auth_failed' : 'connection_refused',
          message: credentials.message,
        };
    if (check.ok) {
      await changeSourceStatus(db, source, 'OK', 'status check passed', deps.now);
    } else {
      const status = statusForImapFailure(check.failure);
      await changeSourceStatus(db, source, status, check.message, deps.now);
      // A wrong password is an answer; a server we could not talk to is a 503 (spec §3).
      if (status === 'CONNECTION_IMPOSSIBLE') return { ok: false, reason: 'imap_unavailable', message: check.message };
    }
  }
  return { ok: true };
}

/** Deletes the source and drops its address from the account unless another source has it. */
export async function deleteSource(db: Db, source: OwnedSource): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.source.deleteMany({ where: { id: source.id } });
    if (count === 0) return false;
    await refreshAccountEmailAddresses(tx, source.accountId);
    return true;
  });
}

/** The account's `email_addresses` are its sources' addresses, oldest first. */
export async function refreshAccountEmailAddresses(tx: Prisma.TransactionClient, accountId: string): Promise<void> {
  const sources = await tx.source.findMany({ where: { accountId }, orderBy: sourceOrder, select: { email: true } });
  await tx.account.update({
    where: { id: accountId },
    data: { emailAddresses: [...new Set(sources.map((row) => row.email))] },
  });
}

export type AddSourceResult =
  | { ok: true; accountId: string; sourceId: string; label: string }
  /** The login was refused or the server unreachable: spec §3's failed-check body. */
  | { ok: false; reason: 'source_check_failed'; feedbackCode: string; connectionLog: string }
  | { ok: false; reason: 'oauth_provider_unknown'; consumerKey: string }
  | { ok: false; reason: 'mailbox_already_attached' }
  | { ok: false; reason: 'callback_url_not_allowed'; field: string; prefixes: string[] }
  | { ok: false; reason: 'callback_url_private'; field: string; host: string };

export interface AddSourceDeps {
  verify: (login: ImapLogin) => Promise<ImapCheckResult>;
  callbackHosts: CallbackHostGuard;
  startSync: (sourceId: string) => Promise<void>;
  now: Date;
}

/** Where the new source goes: an account of the developer's, or a new one with these names. */
export type AddSourceTarget =
  | { kind: 'account'; account: OwnedAccount }
  | { kind: 'new_account'; firstName: string; lastName: string };

/** The callback URLs a request names, against the developer's prefixes and the private-host guard. */
async function checkCallbackUrls(
  db: Db,
  developerId: string,
  urls: Record<string, string | undefined>,
  hosts: CallbackHostGuard,
): Promise<Extract<AddSourceResult, { reason: 'callback_url_not_allowed' | 'callback_url_private' }> | null> {
  const given = Object.fromEntries(Object.entries(urls).filter((entry): entry is [string, string] => !!entry[1]));
  if (Object.keys(given).length === 0) return null;
  const { callbackUrlPrefixes: prefixes } = await db.developer.findUniqueOrThrow({
    where: { id: developerId },
    select: { callbackUrlPrefixes: true },
  });
  const field = findDisallowedCallbackUrl(prefixes, given);
  if (field) return { ok: false, reason: 'callback_url_not_allowed', field, prefixes };
  const privateUrl = await findPrivateUrlHost(given, { timeoutMs: CALLBACK_HOST_CHECK_TIMEOUT_MS, ...hosts });
  return privateUrl ? { ok: false, reason: 'callback_url_private', ...privateUrl } : null;
}

/**
 * The mailbox a server-side source names, proven by a real login: a password,
 * or an OAuth2 refresh token of one of the developer's providers (refreshed
 * once here for an access token, and rotated if the provider says so).
 */
async function provenMailbox(
  db: Db,
  developerId: string,
  input: ServerSideSourceInput,
  deps: AddSourceDeps,
): Promise<MailboxSettings | Extract<AddSourceResult, { ok: false }>> {
  const failed = (feedbackCode: string, connectionLog: string) =>
    ({ ok: false, reason: 'source_check_failed', feedbackCode, connectionLog }) as const;
  if (input.provider_consumer_key && input.provider_refresh_token) {
    const provider = await findOAuthProvider(db, developerId, input.provider_consumer_key);
    const client = provider && (await oauthClientCredentials(db, developerId, provider.id));
    if (!provider || !client) {
      return { ok: false, reason: 'oauth_provider_unknown', consumerKey: input.provider_consumer_key };
    }
    const spec = oauthProviderSpec(client.type);
    const refreshed = await refreshAccessToken(spec, client, input.provider_refresh_token, deps.now);
    if (!refreshed.ok)
      return failed(
        `oauth_${refreshed.failure}`,
        `The OAuth provider refused the refresh token (${refreshed.detail}).`,
      );
    const mailbox: MailboxSettings = {
      email: input.email,
      server: input.server ?? spec.imap.server,
      port: input.port ?? spec.imap.port,
      tlsMode: input.use_ssl === false ? 'NONE' : input.use_ssl === true ? 'TLS' : spec.imap.tlsMode,
      username: input.username ?? input.email,
      provider: spec.discoveryKey,
      authenticationType: 'oauth2',
      secret: refreshed.tokens.refreshToken ?? input.provider_refresh_token,
      oauth: {
        providerId: provider.id,
        accessToken: refreshed.tokens.accessToken,
        accessTokenExpiresAt: refreshed.tokens.expiresAt,
      },
    };
    const check = await deps.verify(mailboxLogin(mailbox, { accessToken: refreshed.tokens.accessToken }));
    return check.ok ? mailbox : failed(check.failure, check.message);
  }
  const mailbox: MailboxSettings = {
    email: input.email,
    server: input.server ?? '',
    port: input.port ?? 993,
    tlsMode: input.use_ssl === false ? 'NONE' : 'TLS',
    username: input.username ?? input.email,
    authenticationType: 'password',
    secret: input.password ?? '',
  };
  const check = await deps.verify(mailboxLogin(mailbox, mailbox.secret));
  return check.ok ? mailbox : failed(check.failure, check.message);
}

/**
 * POST /2.0/accounts (with a first source) and POST /2.0/accounts/:id/sources:
 * check the callback URLs and the login, then store account and source in one
 * transaction (no network inside) and queue the sync.
 */
export async function addServerSideSource(
  db: Db,
  developerId: string,
  target: AddSourceTarget,
  input: ServerSideSourceInput,
  deps: AddSourceDeps,
): Promise<AddSourceResult> {
  const badUrl = await checkCallbackUrls(
    db,
    developerId,
    { callback_url: input.callback_url, status_callback_url: input.status_callback_url },
    deps.callbackHosts,
  );
  if (badUrl) return badUrl;
  const mailbox = await provenMailbox(db, developerId, input, deps);
  if ('ok' in mailbox) return mailbox;
  const options: SourceOptions = {
    callbackUrl: input.callback_url ?? '',
    statusCallbackUrl: input.status_callback_url ?? '',
    syncAllFolders: input.sync_all_folders ?? false,
    syncFolders: input.sync_folders ?? '',
    syncFlags: input.sync_flags ?? false,
    rawFileList: input.raw_file_list ?? false,
    expungeOnDeletedFlag: input.expunge_on_deleted_flag ?? false,
  };
  try {
    const created = await db.$transaction(async (tx) => {
      let accountId: string;
      if (target.kind === 'account') {
        accountId = target.account.id;
      } else {
        accountId = newAccountId();
        await tx.account.create({
          data: {
            id: accountId,
            developerId,
            username: newAccountUsername(input.email),
            firstName: target.firstName,
            lastName: target.lastName,
            emailAddresses: [input.email],
            createdAt: deps.now,
          },
        });
      }
      const source = await insertSource(tx, accountId, mailbox, options);
      await refreshAccountEmailAddresses(tx, accountId);
      return { accountId, sourceId: source.id, label: source.label };
    });
    await deps.startSync(created.sourceId).catch(() => {
      // Housekeeping queues syncs that were never queued; the source exists either way.
    });
    return { ok: true, ...created };
  } catch (error) {
    // The same mailbox already on this account: the unique index decides, also under concurrency.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { ok: false, reason: 'mailbox_already_attached' };
    }
    throw error;
  }
}
