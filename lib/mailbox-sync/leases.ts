import type { Db } from '@/lib/db/client';

/**
 * Who keeps which live source: one lease row per source (owner, expires_at),
 * renewed by its worker while it lives. Every time is the database's clock
 * (UTC), so workers on machines with drifting clocks still agree. A claim is one
 * INSERT … ON CONFLICT statement that only takes a free or expired lease, so two
 * workers never hold one source, however many claim at once.
 */

/** A source is live while it is OK (or unreachable, to notice its recovery) and its initial sync is done. */
const LIVE_SOURCE = `s.status IN ('OK', 'CONNECTION_IMPOSSIBLE')
  AND EXISTS (SELECT 1 FROM source_syncs y WHERE y.source_id = s.id AND y.initial_sync_done_at IS NOT NULL)`;
const NOW = `(now() AT TIME ZONE 'UTC')`;

const seconds = (ms: number) => Math.max(1, Math.round(ms / 1000));

/** Records the worker as alive; returns how many workers (itself included) share the live sources now. */
export async function heartbeatLiveWorker(db: Db, ownerId: string, leaseMs: number): Promise<number> {
  await db.$executeRawUnsafe(
    `INSERT INTO live_workers (id, started_at, seen_at) VALUES ($1, ${NOW}, ${NOW})
     ON CONFLICT (id) DO UPDATE SET seen_at = ${NOW}`,
    ownerId,
  );
  // A worker not seen for a lease's length is dead (its leases have expired too): it no longer counts.
  await db.$executeRawUnsafe(
    `DELETE FROM live_workers WHERE seen_at < ${NOW} - make_interval(secs => $1)`,
    seconds(leaseMs) * 3,
  );
  const [row] = await db.$queryRawUnsafe<{ workers: number }[]>(
    `SELECT count(*)::int AS workers FROM live_workers WHERE seen_at >= ${NOW} - make_interval(secs => $1)`,
    seconds(leaseMs),
  );
  return Math.max(1, row?.workers ?? 1);
}

/** How many sources are live, whoever holds them. */
export async function countLiveSources(db: Db): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ sources: number }[]>(
    `SELECT count(*)::int AS sources FROM sources s WHERE ${LIVE_SOURCE}`,
  );
  return row?.sources ?? 0;
}

/**
 * Extends the worker's leases of sources that are still live and gives up the
 * others (a source whose password was refused, disabled or deleted). Returns
 * the sources the worker holds now: any other it was running was lost (expired
 * and taken over, e.g. after a long pause) and must stop at once.
 */
export async function renewLeases(db: Db, ownerId: string, leaseMs: number): Promise<Set<string>> {
  await db.$executeRawUnsafe(
    `DELETE FROM source_leases l WHERE l.owner_id = $1
       AND NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = l.source_id AND ${LIVE_SOURCE})`,
    ownerId,
  );
  const rows = await db.$queryRawUnsafe<{ source_id: string }[]>(
    `UPDATE source_leases SET expires_at = ${NOW} + make_interval(secs => $2)
     WHERE owner_id = $1 AND expires_at > ${NOW} RETURNING source_id`,
    ownerId,
    seconds(leaseMs),
  );
  return new Set(rows.map((row) => row.source_id));
}

/** Takes up to `limit` live sources nobody holds (or whose holder's lease expired). Returns their ids. */
export async function claimLeases(db: Db, ownerId: string, leaseMs: number, limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  const rows = await db.$queryRawUnsafe<{ source_id: string }[]>(
    `INSERT INTO source_leases (source_id, owner_id, acquired_at, expires_at)
     SELECT s.id, $1, ${NOW}, ${NOW} + make_interval(secs => $2)
     FROM sources s LEFT JOIN source_leases l ON l.source_id = s.id
     WHERE ${LIVE_SOURCE} AND (l.source_id IS NULL OR l.expires_at <= ${NOW})
     ORDER BY random() LIMIT $3
     ON CONFLICT (source_id) DO UPDATE
       SET owner_id = excluded.owner_id, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
       WHERE source_leases.expires_at <= ${NOW}
     RETURNING source_id`,
    ownerId,
    seconds(leaseMs),
    limit,
  );
  return rows.map((row) => row.source_id);
}

/** Gives up some of the worker's leases (to even out the load), or all of them (a graceful stop). */
export async function releaseLeases(db: Db, ownerId: string, sourceIds?: string[]): Promise<void> {
  if (sourceIds) {
    if (sourceIds.length === 0) return;
    await db.sourceLease.deleteMany({ where: { ownerId, sourceId: { in: sourceIds } } });
    return;
  }
  await db.sourceLease.deleteMany({ where: { ownerId } });
  await db.liveWorker.deleteMany({ where: { id: ownerId } });
}
