import { queueCallback } from '@/lib/callbacks/mutations';
import { CALLBACK_HOST_CHECK_TIMEOUT_MS, type CallbackHostGuard } from '@/lib/callbacks/schema';
import { currentTime } from '@/lib/clock';
import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { findDisallowedCallbackUrl } from '@/lib/developers/schema';
import { newRowId } from '@/lib/ids';
import type { ImapCheckResult, ImapLogin } from '@/lib/imap/verify';
import { findPrivateUrlHost } from '@/lib/network/guard';
import { loginForSource, type OwnedSource, sourceLoginSelect, sourceOrder } from './data';
import type { MailboxSettings, SourceStatus, UpdateSourceInput } from './schema';

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
function sealedCredential(authenticationType: MailboxSettings['authenticationType'], secret: string) {
  return { authenticationType, credentialCiphertext: encryptSecret(secret) };
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
      ...sealedCredential(mailbox.authenticationType, mailbox.secret),
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
      ...sealedCredential(mailbox.authenticationType, mailbox.secret),
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
  const changed = await db.$transaction(async (tx) => {
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
    return { previous: row.status, url: row.status_callback_url };
  });
  if (!changed) return null;
  // After the commit: the delivery row and its job live outside the transaction (queueCallback enqueues).
  await queueCallback(db, {
    sourceId: source.id,
    event: 'status_changed',
    url: changed.url,
    status: next,
    previousStatus: changed.previous,
    failureMessage: message,
    now,
  });
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
    const check = await deps.verify(loginForSource(row));
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
