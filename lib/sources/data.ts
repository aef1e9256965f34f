import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { sourceSyncSelect } from '@/lib/mailbox-sync/data';
import type { SourceFilters } from './schema';

/** Every source column an API response may show: never the credentials. */
export const sourcePublicSelect = {
  id: true,
  accountId: true,
  label: true,
  email: true,
  server: true,
  port: true,
  tlsMode: true,
  username: true,
  authenticationType: true,
  status: true,
  statusMessage: true,
  callbackUrl: true,
  statusCallbackUrl: true,
  syncAllFolders: true,
  syncFolders: true,
  syncFlags: true,
  rawFileList: true,
  expungeOnDeletedFlag: true,
  createdAt: true,
  sync: { select: sourceSyncSelect },
} satisfies Prisma.SourceSelect;

export type SourceRow = Prisma.SourceGetPayload<{ select: typeof sourcePublicSelect }>;

/** The `status` / `status_ok` filters as a Prisma condition on sources. */
export function sourceStatusWhere(filters: SourceFilters): Prisma.SourceWhereInput {
  const conditions: Prisma.SourceWhereInput[] = [];
  if (filters.status) conditions.push({ status: filters.status });
  if (filters.status_ok === true) conditions.push({ status: 'OK' });
  if (filters.status_ok === false) conditions.push({ status: { not: 'OK' } });
  return conditions.length > 0 ? { AND: conditions } : {};
}

/** Sources are listed oldest first, so label `0` (the first source) is stable. */
export const sourceOrder = [{ createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.SourceOrderByWithRelationInput[];

export async function listSources(
  db: Db,
  developerId: string,
  accountId: string,
  filters: SourceFilters,
): Promise<SourceRow[] | null> {
  const account = await db.account.findFirst({ where: { id: accountId, developerId }, select: { id: true } });
  if (!account) return null;
  return db.source.findMany({
    where: { accountId, ...sourceStatusWhere(filters) },
    orderBy: sourceOrder,
    select: sourcePublicSelect,
  });
}

/** One source of one of the developer's accounts, by label; `0` is the first source. */
export async function findSource(
  db: Db,
  developerId: string,
  accountId: string,
  label: string,
): Promise<SourceRow | null> {
  const scope = { accountId, account: { developerId } };
  if (label === '0') return db.source.findFirst({ where: scope, orderBy: sourceOrder, select: sourcePublicSelect });
  return db.source.findFirst({ where: { ...scope, label }, select: sourcePublicSelect });
}
