import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { enqueueSourceSync } from '@/lib/jobs/queue';
import type { OwnedSource } from '@/lib/sources/data';

/**
 * Asking for a source's sync. A run itself is ./run.ts (the run loop) and
 * ./batch-store.ts (a folder's new messages into the database, batch by batch).
 */

/** A developer's "sync now" (API or dashboard) on a source the request owns; see queueSourceSync. */
export function requestSourceSync(db: Db, source: OwnedSource): Promise<boolean> {
  return queueSourceSync(db, source.id);
}

/**
 * Marks the source as waiting for a sync and queues one (a no-op if one is
 * queued already). By bare id for the system's own callers only: the worker's
 * housekeeping and the connect flow, whose redeemed token proved the source.
 */
export async function queueSourceSync(db: Db, sourceId: string): Promise<boolean> {
  await db.sourceSync.upsert({
    where: { sourceId },
    create: { sourceId, state: 'queued' },
    // Not empty, so it is one INSERT … ON CONFLICT (see openConnectFlow): concurrent first calls cannot collide.
    update: { sourceId },
  });
  await db.sourceSync.updateMany({ where: { sourceId, state: { in: ['done', 'failed'] } }, data: { state: 'queued' } });
  return enqueueSourceSync(db, { sourceId });
}

/**
 * Queues the sync of every source that should have one queued and may have lost
 * it: connected but never queued (queuing failed at sign-in) or marked queued
 * with no job. A no-op for a source whose sync is already queued, so housekeeping
 * runs it every time. Returns how many syncs were queued.
 */
export async function queueMissingSyncs(db: Db, limit = 1000): Promise<number> {
  const sources = await db.source.findMany({
    where: { status: { not: 'DISABLED' }, OR: [{ sync: null }, { sync: { state: 'queued' } }] },
    select: { id: true },
    orderBy: { id: 'asc' },
    take: limit,
  });
  let queued = 0;
  for (const source of sources) if (await queueSourceSync(db, source.id)) queued += 1;
  return queued;
}

type MessageChangeEvent = 'message_flags_changed' | 'message_deleted';

/**
 * The outbox half of a change statement: a `message_changes` row per message the
 * statement touched (CTE `touched(id, flags)`), with the message as it was read
 * in that statement (a deleted one exists nowhere else afterwards), only while a
 * live receive_all_changes webhook could want it. Its CTEs see the rows as before
 * the statement, so the files of a message being deleted are still there; the
 * flags come from `touched` (the new ones for an update).
 */
const recordChanges = (event: MessageChangeEvent, accountId: string, now: Date) => Prisma.sql`
  recorded AS (
    INSERT INTO message_changes (id, account_id, source_id, message_id, event, snapshot, created_at)
    SELECT replace(gen_random_uuid()::text, '-', ''), m.account_id, m.source_id, m.id,
      ${event}::"CallbackEvent",
      jsonb_build_object('id', m.id, 'emailMessageId', m.email_message_id, 'subject', m.subject,
        'date', m.date, 'dateReceived', m.date_received, 'size', m.size,
        'fromAddresses', m.from_addresses, 'toAddresses', m.to_addresses, 'ccAddresses', m.cc_addresses,
        'replyTo', m.reply_to, 'threadId', m.thread_id, 'gmailMessageId', m.gmail_message_id,
        'gmailThreadId', m.gmail_thread_id, 'flags', t.flags, 'accountId', m.account_id, 'sourceId', m.source_id,
        'folder', jsonb_build_object('name', f.name, 'specialUse', f.special_use,
          'source', jsonb_build_object('label', s.label)),
        'files', COALESCE((SELECT jsonb_agg(jsonb_build_object('id', x.id, 'fileName', x.file_name,
            'contentType', x.content_type, 'size', x.size, 'isEmbedded', x.is_embedded) ORDER BY x.body_part)
          FROM message_files x WHERE x.message_id = m.id), '[]'::jsonb)),
      ${now.toISOString()}::timestamp(3)
    FROM touched t JOIN messages m ON m.id = t.id
      JOIN source_folders f ON f.id = m.folder_id JOIN sources s ON s.id = m.source_id
    WHERE EXISTS (SELECT 1 FROM webhooks w JOIN accounts a ON a.developer_id = w.developer_id
      WHERE a.id = ${accountId} AND (w.account_id IS NULL OR w.account_id = a.id)
        AND w.active AND NOT w.failure AND w.receive_all_changes)
    RETURNING id
  )`;

export interface StoredChanges {
  count: number;
  /** The message_changes rows written (empty when no webhook wants changes). */
  changeIds: string[];
}

export interface FlagsSeen {
  uid: number;
  flags: string[];
  isDeleted: boolean;
}

/** Writes the flags the server reports where they differ from the stored ones, and records each change. */
export async function updateStoredFlags(
  db: Db,
  source: { id: string; accountId: string },
  folderId: string,
  seen: FlagsSeen[],
  now: Date,
): Promise<StoredChanges> {
  const rows = seen.map(({ uid, flags, isDeleted }) => ({ uid, flags, is_deleted: isDeleted }));
  const [row] = await db.$queryRaw<{ count: number; ids: string[] | null }[]>`
    WITH touched AS (
      UPDATE messages m SET flags = r.flags, is_deleted = r.is_deleted
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(uid bigint, flags text[], is_deleted boolean)
      WHERE m.folder_id = ${folderId} AND m.uid = r.uid
        AND (m.flags IS DISTINCT FROM r.flags OR m.is_deleted IS DISTINCT FROM r.is_deleted)
      RETURNING m.id, m.flags
    ), ${recordChanges('message_flags_changed', source.accountId, now)}
    SELECT (SELECT count(*)::int FROM touched) AS count, (SELECT array_agg(id) FROM recorded) AS ids`;
  return { count: row?.count ?? 0, changeIds: row?.ids ?? [] };
}

/** Expunged on the server: the listed UIDs, or every UID up to a checkpoint that the server's list lacks. */
type Removal = { uids: number[] } | { keep: number[]; upToUid: bigint };

/**
 * Deletes expunged messages (their files go with them), moves the folder's
 * last_expunge, keeps the source's message count true and records each deletion,
 * in one statement.
 */
export async function removeStoredMessages(
  db: Db,
  source: { id: string; accountId: string },
  folderId: string,
  removal: Removal,
  now: Date,
): Promise<StoredChanges> {
  const list = JSON.stringify('uids' in removal ? removal.uids : removal.keep);
  const isKeepList = !('uids' in removal);
  const upToUid = 'upToUid' in removal ? String(removal.upToUid) : '0';
  const [row] = await db.$queryRaw<{ count: number; ids: string[] | null }[]>`
    WITH listed AS (
      SELECT value::bigint AS uid FROM jsonb_array_elements_text(${list}::jsonb)
    ), touched AS (
      DELETE FROM messages m
      WHERE m.folder_id = ${folderId}
        AND CASE WHEN ${isKeepList}
          THEN m.uid <= ${upToUid}::bigint AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.uid = m.uid)
          ELSE EXISTS (SELECT 1 FROM listed l WHERE l.uid = m.uid) END
      RETURNING m.id, m.flags
    ), folder AS (
      UPDATE source_folders SET last_expunge = ${now.toISOString()}::timestamp(3)
      WHERE id = ${folderId} AND EXISTS (SELECT 1 FROM touched)
    ), progress AS (
      UPDATE source_syncs SET messages_synced = GREATEST(0, messages_synced - (SELECT count(*) FROM touched))
      WHERE source_id = ${source.id} AND EXISTS (SELECT 1 FROM touched)
    ), ${recordChanges('message_deleted', source.accountId, now)}
    SELECT (SELECT count(*)::int FROM touched) AS count, (SELECT array_agg(id) FROM recorded) AS ids`;
  return { count: row?.count ?? 0, changeIds: row?.ids ?? [] };
}
