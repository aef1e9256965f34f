import { newAccountUsername } from '@/lib/accounts/mutations';
import { CALLBACK_HOST_CHECK_TIMEOUT_MS, type CallbackHostGuard } from '@/lib/callbacks/schema';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import type { NonceClaim, NonceOutcomeColumns } from '@/lib/developers/mutations';
import { findDisallowedCallbackUrl } from '@/lib/developers/schema';
import { getConfig } from '@/lib/env';
import { newAccountId, newConnectToken } from '@/lib/ids';
import { findPrivateUrlHost } from '@/lib/network/guard';
import {
  changeSourceStatus,
  insertSource,
  reauthorizeSource,
  refreshAccountEmailAddresses,
  type SourceOptions,
} from '@/lib/sources/mutations';
import type { MailboxSettings } from '@/lib/sources/schema';
import { type ConnectTokenScope, liveTokenWhere, scopeTargets } from './data';
import {
  CONNECT_TOKEN_LIFETIME_MS,
  type CreateConnectTokenInput,
  EXPIRED_TOKEN_RETENTION_MS,
  HIDDEN_NAME,
} from './schema';

export type CreateConnectTokenResult =
  | { ok: true; token: string }
  /** The developer's settings allow callbacks only under some prefixes, and `field` is not under any. */
  | { ok: false; reason: 'callback_url_not_allowed'; field: string; prefixes: string[] }
  /** A server-side callback URL (source_/status_callback_url) whose host is a private or local address. */
  | { ok: false; reason: 'callback_url_private'; field: string; host: string };

/** Splits Context.IO's `*hidden*` sentinel into an empty name plus a "do not ask" flag. */
function nameField(value: string | undefined) {
  return value === HIDDEN_NAME ? { value: '', hidden: true } : { value: value ?? '', hidden: false };
}

export async function createConnectToken(
  db: Db,
  developerId: string,
  scope: ConnectTokenScope,
  input: Partial<CreateConnectTokenInput> & Pick<CreateConnectTokenInput, 'callback_url'>,
  now: Date,
  options: CallbackHostGuard & {
    /** The API request's nonce, recorded by the statement that reads the developer's policy (one round trip). */
    nonce?: NonceClaim;
  } = { allowPrivateHosts: getConfig().allowPrivateHosts },
): Promise<CreateConnectTokenResult> {
  const { nonce, ...guard } = options;
  const prefixes = await readCallbackUrlPrefixes(db, developerId, nonce);
  const disallowed = findDisallowedCallbackUrl(prefixes, {
    callback_url: input.callback_url,
    source_callback_url: input.source_callback_url,
    status_callback_url: input.status_callback_url,
  });
  if (disallowed) return { ok: false, reason: 'callback_url_not_allowed', field: disallowed, prefixes };
  // callback_url is where the end user's browser goes, never fetched by us: only the two POSTed ones are checked.
  const privateUrl = await findPrivateUrlHost(
    { source_callback_url: input.source_callback_url, status_callback_url: input.status_callback_url },
    { timeoutMs: CALLBACK_HOST_CHECK_TIMEOUT_MS, ...guard },
  );
  if (privateUrl) return { ok: false, reason: 'callback_url_private', ...privateUrl };
  const targets = scopeTargets(scope);
  const firstName = nameField(input.first_name);
  const lastName = nameField(input.last_name);
  const token = newConnectToken();
  // Raw SQL: the hottest write of the API, without the ORM's per-query work (and nothing read back).
  await db.$executeRaw`
    INSERT INTO connect_tokens (id, developer_id, target_account_id, target_source_id, email, first_name,
      first_name_hidden, last_name, last_name_hidden, callback_url, source_callback_url, status_callback_url,
      source_sync_all_folders, source_sync_folders, source_sync_flags, source_raw_file_list,
      source_expunge_on_deleted_flag, locale, mode, redirect_on_error, created_at, expires_at)
    VALUES (${token}, ${developerId}, ${targets.targetAccountId}, ${targets.targetSourceId}, ${input.email ?? ''},
      ${firstName.value}, ${firstName.hidden}, ${lastName.value}, ${lastName.hidden}, ${input.callback_url},
      ${input.source_callback_url ?? ''}, ${input.status_callback_url ?? ''}, ${input.source_sync_all_folders ?? false},
      ${input.source_sync_folders ?? ''}, ${input.source_sync_flags ?? false}, ${input.source_raw_file_list ?? false},
      ${input.source_expunge_on_deleted_flag ?? false}, ${input.locale ?? ''},
      ${input.mode ?? 'redirect'}::"ConnectMode", ${input.redirect_on_error ?? false}, ${now}, ${new Date(now.getTime() + CONNECT_TOKEN_LIFETIME_MS)})`;
  return { ok: true, token };
}

/** The developer's callback policy; with an unsettled nonce the same statement records it. */
async function readCallbackUrlPrefixes(db: Db, developerId: string, nonce: NonceClaim | undefined): Promise<string[]> {
  if (!nonce || nonce.isSettled) {
    const { callbackUrlPrefixes } = await db.developer.findUniqueOrThrow({
      where: { id: developerId },
      select: { callbackUrlPrefixes: true },
    });
    return callbackUrlPrefixes;
  }
  const [row] = await db.$queryRaw<(NonceOutcomeColumns & { prefixes: string[] | null })[]>`
    WITH ${nonce.cte()}
    SELECT ${nonce.columns()},
      (SELECT callback_url_prefixes FROM developers WHERE id = ${developerId}) AS prefixes`;
  // Settled before anything is written: a replayed create creates nothing.
  nonce.settleWith(row);
  if (!row?.prefixes) throw new Error(`developer ${developerId} not found`);
  return row.prefixes;
}

/** Deletes an unused or used token; never the account it produced (spec §5, decision). */
export async function deleteConnectToken(
  db: Db,
  developerId: string,
  scope: ConnectTokenScope,
  token: string,
  now: Date,
): Promise<boolean> {
  // At the top level any of the developer's tokens; below it, only the scope's own.
  const targets = scope.level === 'top' ? {} : scopeTargets(scope);
  const where: Prisma.ConnectTokenWhereInput = { id: token, developerId, ...targets, AND: [liveTokenWhere(now)] };
  const { count } = await db.connectToken.deleteMany({ where });
  return count === 1;
}

/** The end user's part: the mailbox they proved and the names they gave. */
export interface RedeemConnectTokenInput {
  mailbox: MailboxSettings;
  firstName?: string;
  lastName?: string;
}

export type RedeemConnectTokenResult =
  | {
      ok: true;
      accountId: string;
      sourceId: string;
      sourceLabel: string;
      callbackUrl: string;
      /** A source-level token re-connected an existing source (its status goes back to OK). */
      isReconnect: boolean;
    }
  | { ok: false; reason: 'not_found' | 'expired' | 'already_used' | 'mailbox_already_attached' | 'target_gone' };

class RedeemAborted extends Error {
  constructor(readonly reason: Exclude<RedeemConnectTokenResult, { ok: true }>['reason']) {
    super(reason);
  }
}

/**
 * Uses a token, all or nothing, in one transaction: claim it (only one caller
 * can: the claim is a conditional update), then create the account and its first
 * source (top level), attach a source (account level) or re-authorise the source
 * (source level), and record what it produced.
 */
export async function redeemConnectToken(
  db: Db,
  token: string,
  input: RedeemConnectTokenInput,
  now: Date,
): Promise<RedeemConnectTokenResult> {
  try {
    return await db.$transaction(async (tx) => {
      // The claim returns the token's row: one statement both uses the token and reads what it asks for.
      const [row] = await tx.connectToken.updateManyAndReturn({
        where: { id: token, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (!row) throw new RedeemAborted(await whyUnusable(tx, token, now));

      const options: SourceOptions = {
        callbackUrl: row.sourceCallbackUrl,
        statusCallbackUrl: row.statusCallbackUrl,
        syncAllFolders: row.sourceSyncAllFolders,
        syncFolders: row.sourceSyncFolders,
        syncFlags: row.sourceSyncFlags,
        rawFileList: row.sourceRawFileList,
        expungeOnDeletedFlag: row.sourceExpungeOnDeletedFlag,
      };

      let accountId: string;
      let source: { id: string; label: string };
      if (row.targetSourceId && row.targetAccountId) {
        accountId = row.targetAccountId;
        const reauthorized = await reauthorizeSource(tx, { sourceId: row.targetSourceId, accountId }, input.mailbox);
        if (!reauthorized) throw new RedeemAborted('target_gone');
        source = reauthorized;
      } else if (row.targetAccountId) {
        accountId = row.targetAccountId;
        const existing = await tx.source.findFirst({
          where: {
            accountId,
            server: input.mailbox.server.toLowerCase(),
            username: input.mailbox.username,
          },
          select: { id: true },
        });
        if (existing) throw new RedeemAborted('mailbox_already_attached');
        source = await insertSource(tx, accountId, input.mailbox, options);
        await refreshAccountEmailAddresses(tx, accountId);
      } else {
        accountId = newAccountId();
        await tx.account.create({
          data: {
            id: accountId,
            developerId: row.developerId,
            username: newAccountUsername(input.mailbox.email),
            firstName: row.firstName || input.firstName?.trim() || '',
            lastName: row.lastName || input.lastName?.trim() || '',
            emailAddresses: [input.mailbox.email.toLowerCase()],
            createdAt: now,
          },
        });
        source = await insertSource(tx, accountId, input.mailbox, options);
      }

      await tx.connectToken.update({ where: { id: token }, data: { accountId, sourceId: source.id } });
      return {
        ok: true as const,
        accountId,
        sourceId: source.id,
        sourceLabel: source.label,
        callbackUrl: row.callbackUrl,
        isReconnect: Boolean(row.targetSourceId),
      };
    });
  } catch (error) {
    if (error instanceof RedeemAborted) return { ok: false, reason: error.reason };
    // Two different tokens attaching the same mailbox at once: the unique index decides.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { ok: false, reason: 'mailbox_already_attached' };
    }
    throw error;
  }
}

/** What finishing a connection sets going once the token is used. */
export interface CompleteConnectionDeps {
  /** Queues the mailbox sync of the source just connected or re-connected. */
  startSync(sourceId: string): Promise<void>;
}

/**
 * The end of every connection, after the mailbox is proven: use the token
 * (redeemConnectToken), then start the source's sync. The connect pages, the
 * test hook and the test helpers all finish here, so they cannot drift apart.
 * A sync that cannot be queued does not undo the connection: housekeeping
 * queues missing syncs (queueMissingSyncs).
 */
export async function completeConnection(
  db: Db,
  token: string,
  input: RedeemConnectTokenInput,
  deps: CompleteConnectionDeps,
  now: Date,
): Promise<RedeemConnectTokenResult> {
  const redeemed = await redeemConnectToken(db, token, input, now);
  if (!redeemed.ok) return redeemed;
  // The mailbox just proved its login: a re-connected source is OK again (callback and history included).
  if (redeemed.isReconnect) {
    await changeSourceStatus(db, { id: redeemed.sourceId }, 'OK', 'reconnected with a connect token', now);
  }
  try {
    await deps.startSync(redeemed.sourceId);
  } catch (error) {
    // Only the error's kind is logged; the mailbox input (its secret) never is.
    const reason = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'unknown error';
    console.error(
      `connect flow: queuing the sync of source ${redeemed.sourceId} failed (${reason}); housekeeping retries`,
    );
  }
  return redeemed;
}

async function whyUnusable(tx: Prisma.TransactionClient, token: string, now: Date) {
  const row = await tx.connectToken.findUnique({ where: { id: token }, select: { usedAt: true, expiresAt: true } });
  if (!row) return 'not_found' as const;
  if (row.usedAt) return 'already_used' as const;
  return row.expiresAt <= now ? ('expired' as const) : ('not_found' as const);
}

export type DeleteUnusedConnectTokenResult = { ok: true } | { ok: false; reason: 'not_found' | 'not_unused' };

/** The dashboard's delete: only a token nobody has used and that has not expired. */
export async function deleteUnusedConnectToken(
  db: Db,
  developerId: string,
  token: string,
  now: Date,
): Promise<DeleteUnusedConnectTokenResult> {
  const { count } = await db.connectToken.deleteMany({
    where: { id: token, developerId, usedAt: null, expiresAt: { gt: now } },
  });
  if (count === 1) return { ok: true };
  const exists = await db.connectToken.count({ where: { id: token, developerId } });
  return { ok: false, reason: exists ? 'not_unused' : 'not_found' };
}

/**
 * Deletes unused tokens some time past their expiry; run on a schedule. The API
 * answers 404 for them from the moment they expire; the dashboard lists them as
 * expired until then. Returns how many went.
 */
export async function purgeExpiredConnectTokens(db: Db, now: Date): Promise<number> {
  const { count } = await db.connectToken.deleteMany({
    where: { usedAt: null, expiresAt: { lte: new Date(now.getTime() - EXPIRED_TOKEN_RETENTION_MS) } },
  });
  return count;
}
