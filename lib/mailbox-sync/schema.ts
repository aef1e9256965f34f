import { z } from 'zod';
import { SyncState } from '@/lib/db/generated/enums';

/** The sync state of a source, as the API shows it (spec §9): the database enum's values. */
export const SYNC_STATES = Object.values(SyncState);

/** Progress on the source object: what the spec's sync resource does not say. */
export const sourceSyncStatusJson = z
  .object({
    state: z.string().meta({ description: `${SYNC_STATES.join(', ')}, or none when no sync was ever queued` }),
    initial_sync_finished: z.boolean(),
    folders_total: z.number().int(),
    folders_done: z.number().int(),
    messages_synced: z.number().int(),
    last_sync_start: z.number().int().meta({ description: 'Unix seconds; 0 when never' }),
    last_sync_stop: z.number().int().meta({ description: 'Unix seconds; 0 when never' }),
  })
  .meta({ id: 'SourceSyncStatus' });

export const folderJson = z
  .object({
    name: z.string(),
    delim: z.string(),
    nb_messages: z.number().int().meta({ description: 'Messages in the folder on the server at the last sync' }),
    attributes: z
      .record(z.string(), z.boolean())
      .meta({ description: 'IMAP LIST attributes, e.g. {"HasChildren": true}' }),
    symbolic_name: z.string().meta({ description: 'e.g. \\Trash for special folders; "" for others' }),
    included_in_sync: z.boolean(),
  })
  .meta({ id: 'Folder' });

export const folderSyncJson = z.object({
  last_sync_start: z.number().int(),
  last_sync_stop: z.number().int(),
  last_expunge: z.number().int(),
  initial_import_finished: z.boolean(),
});

export const sourceSyncJson = z
  .record(z.string(), folderSyncJson)
  .meta({ id: 'SourceSync', description: 'Per included folder, keyed by folder name' });

export const syncQueuedJson = z.object({
  success: z.literal(true),
  syncs_queued: z.number().int(),
  resource_url: z.string(),
});
