import type { z } from 'zod';
import { serializeSyncStatus } from '@/lib/mailbox-sync/serialize';
import type { sourceJson } from '@/lib/sources/schema';
import type { SourceRow } from './data';

export const sourceResourceUrl = (baseUrl: string, accountId: string, label: string) =>
  `${baseUrl}/2.0/accounts/${accountId}/sources/${encodeURIComponent(label)}`;

/** A source in Context.IO 2.0's shape (spec §9). Never a password or OAuth token. */
export function serializeSource(source: SourceRow, baseUrl: string) {
  return {
    label: source.label,
    email: source.email,
    server: source.server,
    username: source.username,
    port: source.port,
    use_ssl: source.tlsMode === 'TLS',
    type: 'imap',
    authentication_type: source.authenticationType,
    status: source.status,
    status_message: source.statusMessage,
    callback_url: source.callbackUrl,
    status_callback_url: source.statusCallbackUrl,
    sync_flags: source.syncFlags,
    sync_all_folders: source.syncAllFolders,
    expunge_on_deleted_flag: source.expungeOnDeletedFlag,
    raw_file_list: source.rawFileList,
    // Not in Context.IO's record: the mailbox sync's progress, for dashboards (decision).
    sync_status: serializeSyncStatus(source.sync),
    resource_url: sourceResourceUrl(baseUrl, source.accountId, source.label),
  } satisfies z.input<typeof sourceJson>;
}
