import type { z } from 'zod';
import { unixSeconds } from '@/lib/clock';
import type { FolderRow, SourceSyncRow } from './data';
import { symbolicNameOf } from './rules';
import type { folderJson, folderSyncJson, sourceSyncStatusJson } from './schema';

export function serializeSyncStatus(sync: SourceSyncRow | null) {
  return {
    state: sync?.state ?? 'none',
    initial_sync_finished: !!sync?.initialSyncDoneAt,
    folders_total: sync?.foldersTotal ?? 0,
    folders_done: sync?.foldersDone ?? 0,
    messages_synced: sync?.messagesSynced ?? 0,
    last_sync_start: unixSeconds(sync?.lastSyncStart),
    last_sync_stop: unixSeconds(sync?.lastSyncStop),
  } satisfies z.input<typeof sourceSyncStatusJson>;
}

export function serializeFolder(folder: FolderRow) {
  const symbolic = symbolicNameOf({ path: folder.name, delimiter: folder.delimiter, specialUse: folder.specialUse });
  return {
    name: folder.name,
    delim: folder.delimiter,
    nb_messages: folder.nbMessages,
    attributes: Object.fromEntries(folder.attributes.map((attribute) => [attribute.replace(/^\\/, ''), true])),
    symbolic_name: folder.specialUse || (symbolic ? `\\${symbolic}` : ''),
    included_in_sync: folder.includedInSync,
  } satisfies z.input<typeof folderJson>;
}

/** GET …/sync: one entry per included folder (spec §9). */
export function serializeSourceSync(folders: FolderRow[]) {
  const entries = folders
    .filter((folder) => folder.includedInSync)
    .map(
      (folder) =>
        [
          folder.name,
          {
            last_sync_start: unixSeconds(folder.lastSyncStart),
            last_sync_stop: unixSeconds(folder.lastSyncStop),
            last_expunge: unixSeconds(folder.lastExpunge),
            initial_import_finished: folder.initialImportFinished,
          } satisfies z.input<typeof folderSyncJson>,
        ] as const,
    );
  return Object.fromEntries(entries);
}
