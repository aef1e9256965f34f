import type { Db } from '@/lib/db/client';
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
