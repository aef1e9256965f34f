import type { Db } from '@/lib/db/client';
import type { SourceForSync } from './data';
import type { FolderStatus, MailboxSession, RemoteFlags } from './imap';
import { storedFlagsOf } from './rules';

/**
 * A folder already imported, brought in line with the server after its new
 * messages are stored: changed flags and expunged messages. CONDSTORE/QRESYNC
 * where the server offers them (only what moved since the folder's
 * HIGHESTMODSEQ, expunged UIDs as VANISHED), a flag-by-flag comparison where it
 * does not; and whatever the server, a message count that differs from the
 * server's means an expunge went unreported: the stored UIDs are compared with
 * the server's (UID SEARCH ALL).
 */

export interface FolderCheckpoint {
  id: string;
  highestModseq: bigint | null;
}

export async function syncFolderChanges(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  folder: FolderCheckpoint,
  status: FolderStatus,
  now: Date,
): Promise<{ flagsChanged: number; expunged: number }> {
  let changed: RemoteFlags[] = [];
  let vanished: number[] = [];
  if (status.highestModseq !== null && folder.highestModseq !== null) {
    if (status.highestModseq > folder.highestModseq) {
      ({ changed, vanished } = await session.changesSince(folder.highestModseq));
    }
  } else {
    changed = await session.allFlags();
  }
  const flagsChanged = changed.length > 0 ? await updateFlags(db, source, folder.id, changed) : 0;
  let expunged = vanished.length > 0 ? await removeMessages(db, source.id, folder.id, { uids: vanished }, now) : 0;

  const stored = await db.message.count({ where: { folderId: folder.id } });
  if (stored !== session.currentExists()) {
    // Everything up to the checkpoint read now was stored before the search below, so a UID
    // missing from the server's list is gone; a message stored meanwhile (above it) is never touched.
    const { highestUid } = await db.sourceFolder.findUniqueOrThrow({
      where: { id: folder.id },
      select: { highestUid: true },
    });
    const present = await session.allUids();
    expunged += await removeMessages(db, source.id, folder.id, { keep: present, upToUid: highestUid }, now);
  }
  return { flagsChanged, expunged };
}

/** Writes the flags the server reports where they differ from the stored ones. */
async function updateFlags(db: Db, source: SourceForSync, folderId: string, changed: RemoteFlags[]): Promise<number> {
  const rows = changed.map(({ uid, flags }) => {
    const stored = storedFlagsOf(flags, source);
    return { uid, flags: stored.flags, is_deleted: stored.isDeleted };
  });
  return db.$executeRaw`
    UPDATE messages m SET flags = r.flags, is_deleted = r.is_deleted
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(uid bigint, flags text[], is_deleted boolean)
    WHERE m.folder_id = ${folderId} AND m.uid = r.uid
      AND (m.flags IS DISTINCT FROM r.flags OR m.is_deleted IS DISTINCT FROM r.is_deleted)`;
}

type Removal = { uids: number[] } | { keep: number[]; upToUid: bigint };

/**
 * Deletes expunged messages (their files go with them), moves the folder's
 * last_expunge and keeps the source's message count true, in one statement.
 */
async function removeMessages(db: Db, sourceId: string, folderId: string, removal: Removal, now: Date) {
  const list = JSON.stringify('uids' in removal ? removal.uids : removal.keep);
  const isKeepList = !('uids' in removal);
  const upToUid = 'upToUid' in removal ? String(removal.upToUid) : '0';
  const [row] = await db.$queryRaw<{ removed: number }[]>`
    WITH listed AS (
      SELECT value::bigint AS uid FROM jsonb_array_elements_text(${list}::jsonb)
    ), gone AS (
      DELETE FROM messages m
      WHERE m.folder_id = ${folderId}
        AND CASE WHEN ${isKeepList}
          THEN m.uid <= ${upToUid}::bigint AND NOT EXISTS (SELECT 1 FROM listed l WHERE l.uid = m.uid)
          ELSE EXISTS (SELECT 1 FROM listed l WHERE l.uid = m.uid) END
      RETURNING m.id
    ), folder AS (
      UPDATE source_folders SET last_expunge = ${now.toISOString()}::timestamp(3)
      WHERE id = ${folderId} AND EXISTS (SELECT 1 FROM gone)
    ), progress AS (
      UPDATE source_syncs SET messages_synced = GREATEST(0, messages_synced - (SELECT count(*) FROM gone))
      WHERE source_id = ${sourceId} AND EXISTS (SELECT 1 FROM gone)
    )
    SELECT count(*)::int AS removed FROM gone`;
  return row?.removed ?? 0;
}
