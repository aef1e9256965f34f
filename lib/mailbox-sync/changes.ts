import type { Db } from '@/lib/db/client';
import type { SourceForSync } from './data';
import { onMessagesChanged } from './events';
import type { FolderStatus, MailboxSession, RemoteFlags } from './imap';
import { type FlagsSeen, removeStoredMessages, type StoredChanges, updateStoredFlags } from './mutations';
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
  const none: StoredChanges = { count: 0, changeIds: [] };
  const flags =
    changed.length > 0 ? await updateStoredFlags(db, source, folder.id, flagsSeen(changed, source), now) : none;
  const removed = [
    vanished.length > 0 ? await removeStoredMessages(db, source, folder.id, { uids: vanished }, now) : none,
  ];

  const stored = await db.message.count({ where: { folderId: folder.id } });
  if (stored !== session.currentExists()) {
    // Everything up to the checkpoint read now was stored before the search below, so a UID
    // missing from the server's list is gone; a message stored meanwhile (above it) is never touched.
    const { highestUid } = await db.sourceFolder.findUniqueOrThrow({
      where: { id: folder.id },
      select: { highestUid: true },
    });
    const present = await session.allUids();
    removed.push(await removeStoredMessages(db, source, folder.id, { keep: present, upToUid: highestUid }, now));
  }
  await announceChanges(db, source, [...flags.changeIds, ...removed.flatMap((entry) => entry.changeIds)]);
  return { flagsChanged: flags.count, expunged: removed.reduce((sum, entry) => sum + entry.count, 0) };
}

const flagsSeen = (changed: RemoteFlags[], source: SourceForSync): FlagsSeen[] =>
  changed.map(({ uid, flags }) => {
    const stored = storedFlagsOf(flags, source);
    return { uid, flags: stored.flags, isDeleted: stored.isDeleted };
  });

/**
 * Tells the receive_all_changes webhooks. As for new mail, a failure here must not fail the
 * sync: the change rows written with the changes stay, and the maintenance sweep matches them.
 */
async function announceChanges(db: Db, source: SourceForSync, changeIds: string[]): Promise<void> {
  if (changeIds.length === 0) return;
  try {
    await onMessagesChanged(db, { accountId: source.accountId, sourceId: source.id, changeIds });
  } catch (error) {
    console.error(
      `webhooks: matching ${changeIds.length} changes of source ${source.id} failed, the sweep retries: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
