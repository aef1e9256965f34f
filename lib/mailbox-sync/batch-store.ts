import { randomBytes } from 'node:crypto';
import type { Db } from '@/lib/db/client';
import type { SourceForSync } from './data';
import { onMessagesArrived } from './events';
import type { MailboxSession, RemoteMessage } from './imap';
import { parseReferences, planFiles, storedFlagsOf, threadIdFor } from './rules';

/**
 * A folder's new messages into the database: fetched in batches, each batch
 * stored with the folder's checkpoint in one statement (see storeBatch).
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

export interface ImportOptions {
  now: () => Date;
  /** Stop between batches once Date.now() passes this. */
  deadline: number;
  batchSize?: number;
  /** Called after every stored batch (tests and the benchmark watch progress). */
  onBatch?: (stored: number) => void | Promise<void>;
  /**
   * The messages are new mail (the folder's first import is done): each stored
   * batch is announced with onMessagesArrived (./events.ts) after its commit; the
   * arrival rows written in the same statement make that crash-safe.
   */
  announce?: boolean;
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
export async function importMessages(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  folderId: string,
  afterUid: number,
  options: ImportOptions,
): Promise<{ stored: number; finished: boolean }> {
  const batchSize = options.batchSize ?? SYNC_BATCH_SIZE;
  let stored = 0;
  let writing: Promise<void> = Promise.resolve();
  /** Queues the batch behind the one being written; resolves once that one is stored. */
  const handOver = (batch: Batch): Promise<void> => {
    const previous = writing;
    writing = previous.then(async () => {
      const result = await storeBatch(db, source, folderId, batch, options.now(), {
        returnIds: options.announce === true,
      });
      stored += result.count;
      if (options.announce) await announceArrivals(db, source, result.ids);
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
    gmail_message_id: message.gmailMessageId,
    gmail_thread_id: message.gmailThreadId,
    ...storedFlagColumns(message.flags, source),
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

const storedFlagColumns = (flags: string[], options: { syncFlags: boolean }) => {
  const stored = storedFlagsOf(flags, options);
  return { flags: stored.flags, is_deleted: stored.isDeleted };
};

/**
 * Tells the webhooks about new mail. A failure here must not fail the sync: the
 * arrival rows stored with the messages stay, and the maintenance sweep matches them.
 */
async function announceArrivals(db: Db, source: SourceForSync, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  try {
    await onMessagesArrived(db, { accountId: source.accountId, sourceId: source.id, messageIds });
  } catch (error) {
    console.error(
      `webhooks: matching ${messageIds.length} new messages of source ${source.id} failed, the sweep retries: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * Stores one batch and moves the folder's checkpoint past it in one statement,
 * hence atomically. UIDs already stored (a run that died after its commit, or
 * two overlapping runs) are left alone, and so are their files. One statement
 * instead of an interactive transaction of five: Prisma's per-query overhead and
 * the round trips were most of the sync's time beside the IMAP parsing.
 */
async function storeBatch(
  db: Db,
  source: SourceForSync,
  folderId: string,
  batch: Batch,
  now: Date,
  // The initial import only counts: no id list built and sent back per batch.
  { returnIds }: { returnIds: boolean },
): Promise<{ count: number; ids: string[] }> {
  const checkpoint = String(batch.checkpoint);
  const [row] = await db.$queryRaw<{ stored: number; ids: string[] | null }[]>`
    WITH inserted AS (
      INSERT INTO messages (id, account_id, source_id, folder_id, uid, email_message_id, subject, date,
        date_received, size, from_addresses, to_addresses, cc_addresses, reply_to, in_reply_to, "references",
        thread_id, gmail_message_id, gmail_thread_id, flags, is_deleted)
      SELECT r.id, ${source.accountId}, ${source.id}, ${folderId}, r.uid, r.email_message_id, r.subject, r.date,
        r.date_received, r.size, r.from_addresses, r.to_addresses, r.cc_addresses, r.reply_to, r.in_reply_to,
        r."references", r.thread_id, r.gmail_message_id, r.gmail_thread_id, r.flags, r.is_deleted
      FROM jsonb_to_recordset(${JSON.stringify(batch.messages)}::jsonb) AS r(id text, uid bigint,
        email_message_id text, subject text, date timestamp(3), date_received timestamp(3), size integer,
        from_addresses jsonb, to_addresses jsonb, cc_addresses jsonb, reply_to jsonb, in_reply_to text,
        "references" text[], thread_id text, gmail_message_id text, gmail_thread_id text, flags text[],
        is_deleted boolean)
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
    ), arrived AS (
      -- New mail for the webhooks (the outbox, in this same statement): only once the folder's
      -- initial import is done (what came before is history), and only when a live webhook could want it.
      INSERT INTO message_arrivals (message_id, account_id, source_id, created_at)
      SELECT m.id, ${source.accountId}, ${source.id}, ${now.toISOString()}::timestamp(3) FROM inserted m
      WHERE EXISTS (SELECT 1 FROM source_folders WHERE id = ${folderId} AND initial_import_finished)
        AND EXISTS (SELECT 1 FROM webhooks w JOIN accounts a ON a.developer_id = w.developer_id
          WHERE a.id = ${source.accountId} AND (w.account_id IS NULL OR w.account_id = a.id)
            AND w.active AND NOT w.failure)
      RETURNING message_id
    )
    SELECT (SELECT count(*)::int FROM inserted) AS stored,
      CASE WHEN ${returnIds} THEN (SELECT array_agg(id) FROM inserted) END AS ids`;
  return { count: row?.stored ?? 0, ids: row?.ids ?? [] };
}
