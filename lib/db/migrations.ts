import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PGlite, Transaction } from '@electric-sql/pglite';

/**
 * Applies prisma/migrations/<name>/migration.sql in order as plain SQL. Start-up
 * and `npm run db:migrate` use this; Prisma's schema engine (Wasm, ~20 s to
 * start on PGlite) is kept for writing migrations (lib/db/schema-engine.ts).
 *
 * The bookkeeping is exactly `prisma migrate deploy`'s: the same
 * `_prisma_migrations` table and rows, and the same advisory lock, so either
 * tool sees a database migrated by the other as up to date, and the two never
 * run at once on one database.
 */

export type MigrationTarget = { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; connectionString: string };

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface CommittedMigration {
  name: string;
  sql: string;
  /** sha256 hex of the file's bytes, as Prisma records it. */
  checksum: string;
}

export interface MigrationOutcome {
  /** Names applied by this call, in order. */
  applied: string[];
  /** Applied migrations whose file changed since: reported, not re-run (Prisma does the same). */
  modified: string[];
}

const MIGRATIONS_DIR = 'prisma/migrations';
/** The key `prisma migrate` locks with: our runner and Prisma's exclude each other. */
const PRISMA_ADVISORY_LOCK_KEY = 72707369;

/** Prisma's own DDL for its history table (schema engine, PostgreSQL flavour). */
const CREATE_HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export function projectRoot(): string {
  return process.env.MAILPORT_PROJECT_ROOT ?? process.cwd();
}

export function migrationsDirectory(): string {
  return path.join(projectRoot(), MIGRATIONS_DIR);
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** The committed migrations, oldest first (folder names start with a UTC timestamp). */
export function readCommittedMigrations(): CommittedMigration[] {
  // Computed here, not passed in: Next's file tracing must see that this reads prisma/migrations only.
  const baseDir = path.join(projectRoot(), MIGRATIONS_DIR);
  if (!existsSync(baseDir)) return [];
  return readdirSync(baseDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(baseDir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(baseDir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: checksumOf(sql) };
    });
}

/** What the migrator needs from a connection: one session, so the lock and the work share it. */
interface MigrationSession {
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  /** Runs a script (several statements) and statements after it in one transaction. */
  transaction(work: (run: (text: string, params?: unknown[]) => Promise<unknown>) => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

function pgliteSession(pglite: PGlite): MigrationSession {
  const runOn = (db: PGlite | Transaction) => (text: string, params?: unknown[]) =>
    params ? db.query(text, params) : db.exec(text);
  return {
    query: async <T>(text: string, params?: unknown[]) => (await pglite.query<T>(text, params)).rows,
    transaction: (work) => pglite.transaction((tx) => work(runOn(tx))),
    close: async () => {},
  };
}

async function postgresSession(connectionString: string): Promise<MigrationSession> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString });
  // A dropped connection also rejects the query in flight; unhandled, the event would end the process.
  client.on('error', () => {});
  await client.connect();
  const run = (text: string, params?: unknown[]) => client.query(text, params);
  return {
    query: async <T>(text: string, params?: unknown[]) => (await client.query(text, params)).rows as T[],
    transaction: async (work) => {
      await client.query('BEGIN');
      try {
        await work(run);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    },
    // Ending the session also releases the advisory lock if anything above threw.
    close: () => client.end(),
  };
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
}

function firstLine(text: string | null): string {
  return (text ?? '').trim().split('\n')[0] ?? '';
}

/**
 * Applies every committed migration the database lacks, each in its own
 * transaction, under Prisma's advisory lock (on PostgreSQL several processes may
 * start at once; the late ones wait, then find nothing to do).
 */
export function applyPendingMigrations(
  target: MigrationTarget,
  migrations: CommittedMigration[] = readCommittedMigrations(),
): Promise<MigrationOutcome> {
  return withLockedSession(target, (session) => applyLocked(session, migrations));
}

/**
 * PGlite is one session, and a session re-enters its own advisory lock: callers
 * in one process would not exclude each other. Queue them per instance as well.
 */
const pgliteQueues = new WeakMap<PGlite, Promise<unknown>>();

function withLockedSession<T>(target: MigrationTarget, work: (session: MigrationSession) => Promise<T>): Promise<T> {
  if (target.kind === 'postgres')
    return postgresSession(target.connectionString).then((session) => underLock(session, work));
  const session = pgliteSession(target.pglite);
  const next = (pgliteQueues.get(target.pglite) ?? Promise.resolve())
    .catch(() => {})
    .then(() => underLock(session, work));
  pgliteQueues.set(target.pglite, next);
  return next;
}

async function underLock<T>(session: MigrationSession, work: (session: MigrationSession) => Promise<T>): Promise<T> {
  try {
    await session.query(`SELECT pg_advisory_lock(${PRISMA_ADVISORY_LOCK_KEY})`);
    try {
      await session.query(CREATE_HISTORY_TABLE);
      return await work(session);
    } finally {
      await session.query(`SELECT pg_advisory_unlock(${PRISMA_ADVISORY_LOCK_KEY})`);
    }
  } finally {
    await session.close();
  }
}

async function applyLocked(session: MigrationSession, migrations: CommittedMigration[]): Promise<MigrationOutcome> {
  const history = await session.query<HistoryRow>(
    `SELECT migration_name, checksum, finished_at, rolled_back_at, logs FROM "_prisma_migrations" ORDER BY started_at`,
  );
  const failed = history.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) {
    throw new MigrationError(
      `migration ${failed.migration_name} failed earlier and is recorded as failed` +
        (failed.logs ? ` (${firstLine(failed.logs)})` : '') +
        '. Fix it, then mark it rolled back (npm run db:migrate -- --rolled-back ' +
        `${failed.migration_name}) and migrate again.`,
    );
  }
  const finished = new Map(
    history
      .filter((row) => row.finished_at !== null && row.rolled_back_at === null)
      .map((row) => [row.migration_name, row]),
  );
  const outcome: MigrationOutcome = { applied: [], modified: [] };
  for (const migration of migrations) {
    const done = finished.get(migration.name);
    if (done) {
      if (done.checksum !== migration.checksum) outcome.modified.push(migration.name);
      continue;
    }
    await applyOne(session, migration);
    outcome.applied.push(migration.name);
  }
  return outcome;
}

async function applyOne(session: MigrationSession, migration: CommittedMigration): Promise<void> {
  const id = randomUUID();
  // Recorded before it runs, as Prisma does: a crash midway leaves a row that says "failed".
  await session.query(
    `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count)
     VALUES ($1, $2, $3, now(), 0)`,
    [id, migration.checksum, migration.name],
  );
  try {
    await session.transaction(async (run) => {
      await run(migration.sql);
      await run(
        `UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = applied_steps_count + 1 WHERE id = $1`,
        [id],
      );
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await session.query(`UPDATE "_prisma_migrations" SET logs = $2 WHERE id = $1`, [id, message]);
    throw new MigrationError(`migration ${migration.name} failed and was rolled back: ${firstLine(message)}`);
  }
}

/**
 * Marks a failed migration as rolled back (`prisma migrate resolve --rolled-back`),
 * so the next run applies it again. Returns false when no failed row has that name.
 */
export function markMigrationRolledBack(target: MigrationTarget, name: string): Promise<boolean> {
  return withLockedSession(target, async (session) => {
    const rows = await session.query<{ id: string }>(
      `UPDATE "_prisma_migrations" SET rolled_back_at = now()
       WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL RETURNING id`,
      [name],
    );
    return rows.length > 0;
  });
}
