import { randomBytes } from 'node:crypto';
import { queueCallback } from '@/lib/callbacks/mutations';
import type { Db } from '@/lib/db/client';
import { newRowId } from '@/lib/ids';
import type { ImapLogin } from '@/lib/imap/verify';
import { enqueueSourceSync } from '@/lib/jobs/definitions';
import type { JobQueue } from '@/lib/jobs/queue';
import { loginForSource, type OwnedSource, sourceLoginSelect } from '@/lib/sources/data';
import { recordSourceStatus, statusForImapFailure } from '@/lib/sources/mutations';
import type { MailboxSession, OpenSessionResult, RemoteMessage } from './imap';
import { parseReferences, planFiles, planFolders, threadIdFor } from './rules';

/**
 * The mailbox sync of one source. Each folder keeps a checkpoint (UIDVALIDITY,
 * highest UID stored); messages and the checkpoint move together in one
 * transaction per batch, so a run killed anywhere resumes with nothing lost or doubled.
 */

/** Messages fetched and stored per batch: bounds memory whatever the mailbox size. */
export const SYNC_BATCH_SIZE = 500;

// Random ids from a pool: one randomBytes call per 512 ids instead of per row (a measurable share of a sync's CPU).
const ID_BYTES = 12;
let idPool = Buffer.alloc(0);
let idOffset = 0;
const newMessageId = () => {
  if (idOffset + ID_BYTES > idPool.length) {
    idPool = randomBytes(ID_BYTES * 512);
    idOffset = 0;
  }
  idOffset += ID_BYTES;
  return idPool.toString('hex', idOffset - ID_BYTES, idOffset);
};

/** A developer's "sync now" (API or dashboard) on a source the request owns; see queueSourceSync. */
export function requestSourceSync(db: Db, queue: JobQueue, source: OwnedSource): Promise<boolean> {
  return queueSourceSync(db, queue, source.id);
}

/**
 * Marks the source as waiting for a sync and queues one (a no-op if one is
 * queued already). By bare id for the system's own callers only: the worker's
 * housekeeping and the connect flow, whose redeemed token proved the source.
 */
export async function queueSourceSync(db: Db, queue: JobQueue, sourceId: string): Promise<boolean> {
  await db.sourceSync.upsert({
    where: { sourceId },
    create: { sourceId, state: 'queued' },
    update: {},
  });
  await db.sourceSync.updateMany({ where: { sourceId, state: { in: ['done', 'failed'] } }, data: { state: 'queued' } });
  return enqueueSourceSync(queue, { sourceId });
}

/**
 * Queues the sync of every source that should have one queued and may have lost
 * it: connected but never queued (queuing failed at sign-in) or marked queued
 * with no job. A no-op for a source whose sync is already queued, so housekeeping
 * runs it every time. Returns how many syncs were queued.
 */
export async function queueMissingSyncs(db: Db, queue: JobQueue, limit = 1000): Promise<number> {
  const sources = await db.source.findMany({
    where: { status: { not: 'DISABLED' }, OR: [{ sync: null }, { sync: { state: 'queued' } }] },
    select: { id: true },
    orderBy: { id: 'asc' },
    take: limit,
  });
  let queued = 0;
  for (const source of sources) if (await queueSourceSync(db, queue, source.id)) queued += 1;
  return queued;
}

export interface SyncRunOptions {
  queue: JobQueue;
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

type SourceForSync = NonNullable<Awaited<ReturnType<typeof loadSource>>>;

function loadSource(db: Db, sourceId: string) {
  return db.source.findUnique({
    where: { id: sourceId },
    select: {
      id: true,
      accountId: true,
      status: true,
      ...sourceLoginSelect,
      callbackUrl: true,
      syncAllFolders: true,
      syncFolders: true,
      syncFlags: true,
      rawFileList: true,
    },
  });
}

/** One run of a source's sync: connect, refresh the folder list, import new messages folder by folder. */
export async function runSourceSync(db: Db, sourceId: string, options: SyncRunOptions): Promise<SyncRunResult> {
  const source = await loadSource(db, sourceId);
  if (!source) return { outcome: 'skipped', reason: 'source_gone' };
  if (source.status === 'DISABLED') return { outcome: 'skipped', reason: 'source_disabled' };
  const startedAt = options.now();
  await db.sourceSync.upsert({
    where: { sourceId },
    create: { sourceId, state: 'running', lastSyncStart: startedAt },
    update: { state: 'running', lastSyncStart: startedAt, lastError: '' },
  });

  const opened = await options.openSession(loginForSource(source));
  if (!opened.ok) return failConnection(db, source, opened.failure, options);
  // A source that could not be reached before works again.
  if (source.status === 'INVALID_CREDENTIALS' || source.status === 'CONNECTION_IMPOSSIBLE') {
    await recordSourceStatus(db, options.queue, source.id, 'OK', '', options.now());
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

async function failConnection(
  db: Db,
  source: SourceForSync,
  failure: string,
  options: SyncRunOptions,
): Promise<SyncRunResult> {
  const status = statusForImapFailure(failure);
  // A wrong password will not fix itself: no retries. Anything else may be passing.
  if (status === 'INVALID_CREDENTIALS' || options.isLastAttempt) {
    await recordSourceStatus(db, options.queue, source.id, status, failureMessage(failure), options.now());
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

function failureMessage(failure: string): string {
  return failure === 'auth_failed'
    ? 'The mail server no longer accepts the stored password.'
    : `The mail server could not be reached (${failure}).`;
}

type FolderRow = { id: string; name: string; uidValidity: bigint | null; highestUid: bigint };

/** Brings the stored folder list in line with the server's; returns the folders to sync, in server order. */
async function refreshFolders(db: Db, session: MailboxSession, source: SourceForSync): Promise<FolderRow[]> {
  const plans = planFolders(await session.listFolders(), {
    syncAllFolders: source.syncAllFolders,
    syncFolders: source.syncFolders,
  });
  const existing = await db.sourceFolder.findMany({ where: { sourceId: source.id }, select: { id: true, name: true } });
  const byName = new Map(existing.map((row) => [row.name, row.id]));
  for (const plan of plans) {
    const data = {
      delimiter: plan.delimiter,
      attributes: plan.attributes,
      specialUse: plan.specialUse,
      includedInSync: plan.includedInSync,
    };
    const id = byName.get(plan.path);
    if (id) await db.sourceFolder.update({ where: { id }, data });
    else await db.sourceFolder.create({ data: { id: newRowId(), sourceId: source.id, name: plan.path, ...data } });
  }
  // A folder deleted on the server takes its messages with it.
  const gone = existing.filter((row) => !plans.some((plan) => plan.path === row.name)).map((row) => row.id);
  if (gone.length > 0) await db.sourceFolder.deleteMany({ where: { id: { in: gone } } });

  const included = plans.filter((plan) => plan.includedInSync).map((plan) => plan.path);
  const rows = await db.sourceFolder.findMany({
    where: { sourceId: source.id, name: { in: included } },
    select: { id: true, name: true, uidValidity: true, highestUid: true, initialImportFinished: true },
  });
  await db.sourceSync.update({
    where: { sourceId: source.id },
    data: { foldersTotal: rows.length, foldersDone: rows.filter((row) => row.initialImportFinished).length },
  });
  return included.flatMap((name) => rows.filter((row) => row.name === name));
}

async function syncFolder(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  folder: FolderRow,
  options: SyncRunOptions & { deadline: number },
): Promise<{ stored: number; finished: boolean }> {
  const status = await session.openFolder(folder.name);
  let highestUid = folder.highestUid;
  if (folder.uidValidity !== null && folder.uidValidity !== status.uidValidity) {
    // UIDVALIDITY changed: the server renumbered the folder and every stored UID is meaningless.
    const removed = await db.message.deleteMany({ where: { folderId: folder.id } });
    await db.sourceSync.update({
      where: { sourceId: source.id },
      data: { messagesSynced: { decrement: removed.count } },
    });
    highestUid = 0n;
  }
  await db.sourceFolder.update({
    where: { id: folder.id },
    data: {
      uidValidity: status.uidValidity,
      highestUid,
      nbMessages: status.exists,
      lastSyncStart: options.now(),
      ...(highestUid === 0n && folder.uidValidity !== status.uidValidity && { initialImportFinished: false }),
    },
  });

  // UIDNEXT says whether anything arrived since the checkpoint, without a FETCH.
  const hasNew = status.exists > 0 && (status.uidNext === null || status.uidNext > Number(highestUid) + 1);
  const { stored, finished } = hasNew
    ? await importMessages(db, session, source, folder.id, Number(highestUid), options)
    : { stored: 0, finished: true };
  if (!finished) return { stored, finished };

  const now = options.now();
  const updated = await db.sourceFolder.updateMany({
    where: { id: folder.id, initialImportFinished: false },
    data: { initialImportFinished: true, lastSyncStop: now },
  });
  if (updated.count === 0) await db.sourceFolder.update({ where: { id: folder.id }, data: { lastSyncStop: now } });
  else await db.sourceSync.update({ where: { sourceId: source.id }, data: { foldersDone: { increment: 1 } } });
  return { stored, finished: true };
}

/** One batch, already in the shape of its INSERT: imapflow's objects are gone by the time it is written. */
interface Batch {
  messages: Record<string, unknown>[];
  files: Record<string, unknown>[];
  /** The highest UID in the batch: the folder's checkpoint once it is stored. */
  checkpoint: number;
}

const emptyBatch = (): Batch => ({ messages: [], files: [], checkpoint: 0 });

/**
 * Streams the folder's new messages into the database in batches, fetching the
 * next batch while the previous one is written. At most two batches are held
 * (one being written, one being filled) and the IMAP stream waits meanwhile, so
 * memory does not grow with the folder. Stops between batches once the budget is spent.
 */
async function importMessages(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  folderId: string,
  afterUid: number,
  options: SyncRunOptions & { deadline: number },
): Promise<{ stored: number; finished: boolean }> {
  const batchSize = options.batchSize ?? SYNC_BATCH_SIZE;
  let stored = 0;
  let writing: Promise<void> = Promise.resolve();
  /** Queues the batch behind the one being written; resolves once that one is stored. */
  const handOver = (batch: Batch): Promise<void> => {
    const previous = writing;
    writing = previous.then(async () => {
      stored += await storeBatch(db, source, folderId, batch, options.now());
      await options.onBatch?.(stored);
    });
    // Observed by the next handOver or the final await; until then it must not count as unhandled.
    writing.catch(() => {});
    return previous;
  };

  let batch = emptyBatch();
  let finished = true;
  try {
    for await (const message of session.messagesAfter(afterUid)) {
      if (batch.messages.length >= batchSize) {
        await handOver(batch);
        batch = emptyBatch();
        if (Date.now() >= options.deadline) {
          finished = false;
          break;
        }
      }
      planMessage(batch, source, message);
    }
    if (finished && batch.messages.length > 0) await handOver(batch);
    await writing;
  } finally {
    // Leave nothing writing behind a failure (the caller records it, then retries).
    await writing.catch(() => {});
  }
  return { stored, finished };
}

/** Adds a message and its files to the batch, as rows of the INSERT. */
function planMessage(batch: Batch, source: SourceForSync, message: RemoteMessage): void {
  const id = newMessageId();
  const { envelope } = message;
  const references = parseReferences(message.referencesHeader);
  const date = envelope.date && !Number.isNaN(envelope.date.getTime()) ? envelope.date.toISOString() : null;
  const dateReceived =
    message.internalDate && !Number.isNaN(message.internalDate.getTime()) ? message.internalDate.toISOString() : null;
  batch.messages.push({
    id,
    uid: message.uid,
    email_message_id: envelope.messageId,
    subject: envelope.subject,
    date,
    date_received: dateReceived,
    size: message.size,
    from_addresses: envelope.from,
    to_addresses: envelope.to,
    cc_addresses: envelope.cc,
    reply_to: envelope.replyTo,
    in_reply_to: envelope.inReplyTo,
    references,
    thread_id: threadIdFor(source.accountId, {
      references,
      inReplyTo: envelope.inReplyTo,
      messageId: envelope.messageId,
      fallback: id,
    }),
    flags: source.syncFlags ? message.flags.filter((flag) => flag === '\\Seen' || flag === '\\Flagged') : [],
    is_deleted: message.flags.includes('\\Deleted'),
  });
  for (const file of planFiles(message.bodyStructure, { rawFileList: source.rawFileList })) {
    batch.files.push({
      id: newMessageId(),
      message_id: id,
      file_name: file.fileName,
      content_type: file.contentType,
      size: file.size,
      is_embedded: file.isEmbedded,
      body_part: file.bodyPart,
    });
  }
  // Servers answer a UID FETCH in ascending UID order, so this is the batch's last UID.
  batch.checkpoint = Math.max(batch.checkpoint, message.uid);
}

/**
 * Stores one batch and moves the folder's checkpoint past it in one statement,
 * hence atomically. UIDs already stored (a run that died after its commit, or
 * two overlapping runs) are left alone, and so are their files. One statement
 * instead of an interactive transaction of five: Prisma's per-query overhead and
 * the round trips were most of the sync's time beside the IMAP parsing.
 */
async function storeBatch(db: Db, source: SourceForSync, folderId: string, batch: Batch, now: Date): Promise<number> {
  const checkpoint = String(batch.checkpoint);
  const [row] = await db.$queryRaw<{ stored: number }[]>`
    WITH inserted AS (
      INSERT INTO messages (id, account_id, source_id, folder_id, uid, email_message_id, subject, date,
        date_received, size, from_addresses, to_addresses, cc_addresses, reply_to, in_reply_to, "references",
        thread_id, flags, is_deleted)
      SELECT r.id, ${source.accountId}, ${source.id}, ${folderId}, r.uid, r.email_message_id, r.subject, r.date,
        r.date_received, r.size, r.from_addresses, r.to_addresses, r.cc_addresses, r.reply_to, r.in_reply_to,
        r."references", r.thread_id, r.flags, r.is_deleted
      FROM jsonb_to_recordset(${JSON.stringify(batch.messages)}::jsonb) AS r(id text, uid bigint,
        email_message_id text, subject text, date timestamp(3), date_received timestamp(3), size integer,
        from_addresses jsonb, to_addresses jsonb, cc_addresses jsonb, reply_to jsonb, in_reply_to text,
        "references" text[], thread_id text, flags text[], is_deleted boolean)
      ON CONFLICT (folder_id, uid) DO NOTHING
      RETURNING id
    ), files AS (
      INSERT INTO message_files (id, account_id, message_id, file_name, content_type, size, is_embedded, body_part)
      SELECT f.id, ${source.accountId}, f.message_id, f.file_name, f.content_type, f.size, f.is_embedded, f.body_part
      FROM jsonb_to_recordset(${JSON.stringify(batch.files)}::jsonb) AS f(id text, message_id text, file_name text,
        content_type text, size integer, is_embedded boolean, body_part text)
      JOIN inserted m ON m.id = f.message_id
    ), checkpoint AS (
      -- The checkpoint only moves forward, even if two runs overlap.
      UPDATE source_folders SET highest_uid = ${checkpoint}::bigint
      WHERE id = ${folderId} AND highest_uid < ${checkpoint}::bigint
    ), progress AS (
      UPDATE source_syncs SET messages_synced = messages_synced + (SELECT count(*) FROM inserted),
        updated_at = ${now.toISOString()}::timestamp(3)
      WHERE source_id = ${source.id} AND EXISTS (SELECT 1 FROM inserted)
    )
    SELECT count(*)::int AS stored FROM inserted`;
  return row?.stored ?? 0;
}

/** Every included folder imported: the sync is done, and the first time, the developer is told. */
async function finishRun(db: Db, source: SourceForSync, options: SyncRunOptions): Promise<void> {
  const now = options.now();
  // One transaction, so nobody reads "done" without "initial sync finished".
  const [, first] = await db.$transaction([
    db.sourceSync.update({ where: { sourceId: source.id }, data: { state: 'done', lastSyncStop: now } }),
    db.sourceSync.updateMany({
      where: { sourceId: source.id, initialSyncDoneAt: null },
      data: { initialSyncDoneAt: now },
    }),
  ]);
  if (first.count === 1) {
    await queueCallback(db, options.queue, {
      sourceId: source.id,
      event: 'initial_sync_completed',
      url: source.callbackUrl,
      status: 'OK',
      failureMessage: '',
      now,
    });
  }
}
