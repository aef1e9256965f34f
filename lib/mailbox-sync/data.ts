import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { type OwnedSource, sourceLoginSelect } from '@/lib/sources/data';

export const sourceSyncSelect = {
  state: true,
  foldersTotal: true,
  foldersDone: true,
  messagesSynced: true,
  lastSyncStart: true,
  lastSyncStop: true,
  initialSyncDoneAt: true,
  lastError: true,
} satisfies Prisma.SourceSyncSelect;

export type SourceSyncRow = Prisma.SourceSyncGetPayload<{ select: typeof sourceSyncSelect }>;

const folderSelect = {
  name: true,
  delimiter: true,
  attributes: true,
  specialUse: true,
  includedInSync: true,
  nbMessages: true,
  lastSyncStart: true,
  lastSyncStop: true,
  lastExpunge: true,
  initialImportFinished: true,
} satisfies Prisma.SourceFolderSelect;

export type FolderRow = Prisma.SourceFolderGetPayload<{ select: typeof folderSelect }>;

/** The source's folders as last seen on the server, in name order. */
export async function listSourceFolders(db: Db, source: OwnedSource): Promise<FolderRow[]> {
  return db.sourceFolder.findMany({ where: { sourceId: source.id }, orderBy: { name: 'asc' }, select: folderSelect });
}

/** What a sync run needs of its source, the sealed credentials included (never serialised). */
export function findSourceForSync(db: Db, sourceId: string) {
  return db.source.findUnique({
    where: { id: sourceId },
    select: {
      ...sourceLoginSelect,
      accountId: true,
      status: true,
      callbackUrl: true,
      syncAllFolders: true,
      syncFolders: true,
      syncFlags: true,
      rawFileList: true,
    },
  });
}

export type SourceForSync = NonNullable<Awaited<ReturnType<typeof findSourceForSync>>>;
