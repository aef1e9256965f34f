import { storeCallback } from '@/lib/callbacks/mutations';
import type { Db } from '@/lib/db/client';
import { newRowId } from '@/lib/ids';
import type { ImapLogin } from '@/lib/imap/verify';
import { transactionWithDeliveries } from '@/lib/jobs/queue';
import { loginForSource } from '@/lib/sources/data';
import { changeSourceStatus, statusForImapFailure } from '@/lib/sources/mutations';
import { importMessages } from './batch-store';
import { syncFolderChanges } from './changes';
import { findSourceForSync, type SourceForSync } from './data';
import type { MailboxSession, OpenSessionResult } from './imap';
import { planFolders } from './rules';

/**
 * The mailbox sync of one source. Each folder keeps a checkpoint (UIDVALIDITY,
 * highest UID stored); messages and the checkpoint move together in one
 * transaction per batch, so a run killed anywhere resumes with nothing lost or doubled.
 */

export interface SyncRunOptions {
  openSession: (login: ImapLogin) => Promise<OpenSessionResult>;
  now: () => Date;
  /** Stop after this long and let a follow-up job continue (jobs have a timeout). */
  budgetMs: number;
  /** This is the queue's last try: a connection failure becomes the source's status. */
  isLastAttempt: boolean;
  batchSize?: number;
  /** Called after every stored batch (tests and the benchmark watch progress). */
  onBatch?: (stored: number) => void | Promise<void>;
}

export type SyncRunResult =
  | { outcome: 'done'; messagesStored: number }
  | { outcome: 'continue'; messagesStored: number }
  | { outcome: 'skipped'; reason: 'source_gone' | 'source_disabled' }
  | { outcome: 'failed'; reason: 'auth_failed' }
  | { outcome: 'retry'; reason: string };

/** One run of a source's sync: connect, refresh the folder list, import new messages folder by folder. */
export async function runSourceSync(db: Db, sourceId: string, options: SyncRunOptions): Promise<SyncRunResult> {
  const source = await findSourceForSync(db, sourceId);
  if (!source) return { outcome: 'skipped', reason: 'source_gone' };
  if (source.status === 'DISABLED') return { outcome: 'skipped', reason: 'source_disabled' };
  const startedAt = options.now();
  await db.sourceSync.upsert({
    where: { sourceId },
    create: { sourceId, state: 'running', lastSyncStart: startedAt },
    update: { state: 'running', lastSyncStart: startedAt, lastError: '' },
  });

  const opened = await openSourceSession(db, source, options);
  if (!opened.ok) return failConnection(db, source, opened.failure, options, opened.message);
  // A source that could not be reached before works again.
  if (source.status === 'INVALID_CREDENTIALS' || source.status === 'CONNECTION_IMPOSSIBLE') {
    await changeSourceStatus(db, source, 'OK', 'the mail server accepts the login again', options.now());
  }

  const session = opened.session;
  let stored = 0;
  try {
    const folders = await refreshFolders(db, session, source);
    const deadline = Date.now() + options.budgetMs;
    for (const folder of folders) {
      const result = await syncFolder(db, session, source, folder, { ...options, deadline });
      stored += result.stored;
      if (!result.finished) {
        await db.sourceSync.update({ where: { sourceId }, data: { state: 'queued' } });
        return { outcome: 'continue', messagesStored: stored };
      }
    }
  } catch (error) {
    // A dropped connection or a server error mid-sync: the checkpoints hold, the queue retries.
    const reason = error instanceof Error ? error.message : String(error);
    await db.sourceSync.update({ where: { sourceId }, data: { state: 'queued', lastError: reason.slice(0, 500) } });
    return { outcome: 'retry', reason };
  } finally {
    await session.close();
  }
  await finishRun(db, source, options);
  return { outcome: 'done', messagesStored: stored };
}

/** Why a source could not be opened; `message` says it in words when the login itself could not be made. */
export type SourceSessionResult =
  | { ok: true; session: MailboxSession }
  | { ok: false; failure: string; message?: string };

/**
 * Logs in to a source (the sync and the live sync): an OAuth2 source may refresh
 * its access token first (a dead grant has already set INVALID_CREDENTIALS), and
 * a token the server refuses though we thought it valid (revoked early, clock
 * skew) is refreshed once and tried again.
 */
export async function openSourceSession(
  db: Db,
  source: SourceForSync,
  options: Pick<SyncRunOptions, 'openSession' | 'now'>,
): Promise<SourceSessionResult> {
  const credentials = await loginForSource(db, source, options.now());
  if (!credentials.ok) return loginUnavailable(credentials);
  const opened = await options.openSession(credentials.login);
  if (opened.ok || opened.failure !== 'auth_failed' || source.authenticationType !== 'oauth2') return opened;
  const refreshed = await loginForSource(db, source, options.now(), { forceRefresh: true });
  if (!refreshed.ok) return loginUnavailable(refreshed);
  return options.openSession(refreshed.login);
}

function loginUnavailable(login: { failure: 'auth_failed' | 'provider_down'; message: string }): SourceSessionResult {
  return {
    ok: false,
    failure: login.failure === 'auth_failed' ? 'auth_failed' : 'connection_refused',
    message: login.message,
  };
}

async function failConnection(
  db: Db,
  source: SourceForSync,
  failure: string,
  options: SyncRunOptions,
  message = failureMessage(failure, source.authenticationType),
): Promise<SyncRunResult> {
  const status = statusForImapFailure(failure);
  // A wrong password will not fix itself: no retries. Anything else may be passing.
  if (status === 'INVALID_CREDENTIALS' || options.isLastAttempt) {
    await changeSourceStatus(db, source, status, message, options.now());
    await db.sourceSync.update({
      where: { sourceId: source.id },
      data: { state: 'failed', lastError: failure, lastSyncStop: options.now() },
    });
    return status === 'INVALID_CREDENTIALS'
      ? { outcome: 'failed', reason: 'auth_failed' }
      : { outcome: 'retry', reason: failure };
  }
  await db.sourceSync.update({ where: { sourceId: source.id }, data: { state: 'queued', lastError: failure } });
  return { outcome: 'retry', reason: failure };
}

export function failureMessage(failure: string, authenticationType: string): string {
  if (failure !== 'auth_failed') return `The mail server could not be reached (${failure}).`;
  return authenticationType === 'oauth2'
    ? 'The mail server no longer accepts the stored OAuth sign-in.'
    : 'The mail server no longer accepts the stored password.';
}

type FolderRow = {
  id: string;
  name: string;
  uidValidity: bigint | null;
  highestUid: bigint;
  highestModseq: bigint | null;
  initialImportFinished: boolean;
};

/**
 * Brings the stored folder list in line with the server's; returns the folders
 * to sync, in server order. A folder that vanished while one with its UIDVALIDITY
 * appeared was renamed (servers keep UIDVALIDITY across RENAME): the row, its
 * messages and their ids move with it instead of being deleted and imported anew.
 */
export async function refreshFolders(db: Db, session: MailboxSession, source: SourceForSync): Promise<FolderRow[]> {
  const plans = planFolders(await session.listFolders(), {
    syncAllFolders: source.syncAllFolders,
    syncFolders: source.syncFolders,
  });
  const existing = await db.sourceFolder.findMany({
    where: { sourceId: source.id },
    select: { id: true, name: true, uidValidity: true },
  });
  const byName = new Map(existing.map((row) => [row.name, row.id]));
  const gone = existing.filter((row) => !plans.some((plan) => plan.path === row.name));
  for (const plan of plans) {
    const data = {
      delimiter: plan.delimiter,
      attributes: plan.attributes,
      specialUse: plan.specialUse,
      includedInSync: plan.includedInSync,
    };
    const id = byName.get(plan.path);
    if (id) {
      await db.sourceFolder.update({ where: { id }, data });
      continue;
    }
    const uidValidity = gone.length > 0 ? await session.uidValidityOf(plan.path) : null;
    const renamed = uidValidity === null ? -1 : gone.findIndex((row) => row.uidValidity === uidValidity);
    const [from] = renamed >= 0 ? gone.splice(renamed, 1) : [];
    if (from) await db.sourceFolder.update({ where: { id: from.id }, data: { name: plan.path, ...data } });
    else await db.sourceFolder.create({ data: { id: newRowId(), sourceId: source.id, name: plan.path, ...data } });
  }
  // A folder deleted on the server takes its messages with it.
  if (gone.length > 0)
    await removeFolders(
      db,
      source.id,
      gone.map((row) => row.id),
    );

  const included = plans.filter((plan) => plan.includedInSync).map((plan) => plan.path);
  const rows = await db.sourceFolder.findMany({
    where: { sourceId: source.id, name: { in: included } },
    select: {
      id: true,
      name: true,
      uidValidity: true,
      highestUid: true,
      highestModseq: true,
      initialImportFinished: true,
    },
  });
  await db.sourceSync.update({
    where: { sourceId: source.id },
    data: { foldersTotal: rows.length, foldersDone: rows.filter((row) => row.initialImportFinished).length },
  });
  return included.flatMap((name) => rows.filter((row) => row.name === name));
}

/** Deletes folders gone from the server, keeping the source's message count true. */
async function removeFolders(db: Db, sourceId: string, folderIds: string[]): Promise<void> {
  await db.$transaction(async (tx) => {
    const messages = await tx.message.count({ where: { folderId: { in: folderIds } } });
    await tx.sourceFolder.deleteMany({ where: { id: { in: folderIds } } });
    if (messages > 0) {
      await tx.sourceSync.updateMany({ where: { sourceId }, data: { messagesSynced: { decrement: messages } } });
    }
  });
}

export async function syncFolder(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  folder: FolderRow,
  options: Pick<SyncRunOptions, 'now' | 'batchSize' | 'onBatch'> & { deadline: number },
): Promise<{ stored: number; finished: boolean }> {
  const status = await session.openFolder(folder.name);
  let highestUid = folder.highestUid;
  const isRenumbered = folder.uidValidity !== null && folder.uidValidity !== status.uidValidity;
  if (isRenumbered) {
    // UIDVALIDITY changed: the server renumbered the folder and every stored UID is meaningless.
    const removed = await db.message.deleteMany({ where: { folderId: folder.id } });
    await db.sourceSync.update({
      where: { sourceId: source.id },
      data: { messagesSynced: { decrement: removed.count } },
    });
    highestUid = 0n;
  }
  // Past its first import, what arrives is new mail (announced, ./events.ts) and the folder's changes are followed.
  const isLive = folder.initialImportFinished && !isRenumbered;
  await db.sourceFolder.update({
    where: { id: folder.id },
    data: {
      uidValidity: status.uidValidity,
      highestUid,
      nbMessages: status.exists,
      lastSyncStart: options.now(),
      ...(isRenumbered && { initialImportFinished: false, highestModseq: null }),
    },
  });

  // UIDNEXT says whether anything arrived since the checkpoint, without a FETCH.
  const hasNew = status.exists > 0 && (status.uidNext === null || status.uidNext > Number(highestUid) + 1);
  const { stored, finished } = hasNew
    ? await importMessages(db, session, source, folder.id, Number(highestUid), { ...options, announce: isLive })
    : { stored: 0, finished: true };
  if (!finished) return { stored, finished };
  if (isLive) await syncFolderChanges(db, session, source, folder, status, options.now());

  const now = options.now();
  // The checkpoint the next pass starts from: changes after this SELECT are asked for again, never missed.
  const checkpoint = {
    lastSyncStop: now,
    nbMessages: session.currentExists(),
    uidNext: status.uidNext === null ? null : BigInt(status.uidNext),
    highestModseq: status.highestModseq,
  };
  const updated = await db.sourceFolder.updateMany({
    where: { id: folder.id, initialImportFinished: false },
    data: { initialImportFinished: true, ...checkpoint },
  });
  if (updated.count === 0) await db.sourceFolder.update({ where: { id: folder.id }, data: checkpoint });
  else await db.sourceSync.update({ where: { sourceId: source.id }, data: { foldersDone: { increment: 1 } } });
  return { stored, finished: true };
}

/** Every included folder imported: the sync is done, and the first time, the developer is told. */
async function finishRun(db: Db, source: SourceForSync, options: SyncRunOptions): Promise<void> {
  const now = options.now();
  // One transaction, so nobody reads "done" without "initial sync finished", nor either without its callback.
  await transactionWithDeliveries(db, async (tx, queueDelivery) => {
    await tx.sourceSync.update({ where: { sourceId: source.id }, data: { state: 'done', lastSyncStop: now } });
    const first = await tx.sourceSync.updateMany({
      where: { sourceId: source.id, initialSyncDoneAt: null },
      data: { initialSyncDoneAt: now },
    });
    if (first.count === 1) {
      await storeCallback(
        tx,
        {
          sourceId: source.id,
          event: 'initial_sync_completed',
          url: source.callbackUrl,
          status: 'OK',
          failureMessage: '',
          now,
        },
        queueDelivery,
      );
    }
  });
}
