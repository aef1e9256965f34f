import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { type DatabaseConfig, getConfig } from '@/lib/env';
import { PrismaClient } from './generated/client';
import {
  applyPendingMigrations,
  type MigrationOutcome,
  type MigrationTarget,
  readCommittedMigrations,
} from './migrations';
import { copyBestTemplateInto } from './pglite-template';

/**
 * The one module that owns the Prisma client. Callers get a PrismaClient and
 * never learn whether PGlite (embedded, in-process) or PostgreSQL is behind it.
 */

export type Db = PrismaClient;

export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another Mailport process (pid ${pid}). ` +
        'A PGlite data directory can be opened by one process at a time.',
    );
  }
}

interface OpenDatabase {
  client: PrismaClient;
  migrationTarget: MigrationTarget;
  /** What opening did to the schema (embedded mode migrates; PostgreSQL never does here). */
  migrations: MigrationOutcome;
  close: () => Promise<void>;
}

/** One lock file per data directory: a second process would corrupt PGlite's files. */
function acquireDataDirLock(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lockFile = path.join(dataDir, 'mailport.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          unlinkSync(lockFile);
        } catch {
          // Already gone: nothing to release.
        }
      };
      process.once('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
      if (Number.isInteger(holder) && holder !== process.pid && isProcessAlive(holder)) {
        throw new DatabaseBusyError(dataDir, holder);
      }
      // A stale lock from a process that died without cleaning up.
      unlinkSync(lockFile);
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function openEmbedded(dataDir: string, options: OpenOptions): Promise<OpenDatabase> {
  const release = acquireDataDirLock(dataDir);
  let pglite: PGlite | undefined;
  try {
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('pglite-prisma-adapter'),
    ]);
    const pgliteDir = path.join(dataDir, 'pglite');
    // A first start copies a template instead of running initdb (seconds; see pglite-template.ts).
    copyBestTemplateInto(pgliteDir);
    pglite = await PGlite.create({ dataDir: pgliteDir });
    const migrationTarget: MigrationTarget = { kind: 'pglite', pglite };
    // Embedded mode is for newcomers: the schema is always brought up to date on open.
    const migrations = options.migrate ? await applyPendingMigrations(migrationTarget) : { applied: [], modified: [] };
    if (migrations.modified.length > 0) console.warn(describeModifiedMigrations(migrations.modified));
    const client = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      client,
      migrationTarget,
      migrations,
      close: async () => {
        await client.$disconnect();
        await pglite?.close();
        release();
      },
    };
  } catch (error) {
    await pglite?.close().catch(() => {});
    release();
    throw error;
  }
}

/** Prisma only warns about an applied migration edited afterwards; so do we, naming it. */
export function describeModifiedMigrations(names: string[]): string {
  return (
    `warning: ${names.length} applied migration(s) changed since they were applied (${names.join(', ')}); ` +
    'they are not run again. Put schema changes in a new migration instead.'
  );
}

async function openPostgres(url: string, poolSize: number): Promise<OpenDatabase> {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
  return {
    client,
    migrationTarget: { kind: 'postgres', connectionString: url },
    migrations: { applied: [], modified: [] },
    close: () => client.$disconnect(),
  };
}

interface OpenOptions {
  /** Embedded mode migrates on open unless told not to (`db:migrate --rolled-back` must not). */
  migrate: boolean;
}

export function openDatabase(config: DatabaseConfig, options: OpenOptions = { migrate: true }): Promise<OpenDatabase> {
  return config.kind === 'embedded' ? openEmbedded(config.dataDir, options) : openPostgres(config.url, config.poolSize);
}

// Next.js may load this module in several bundles; the process must still hold one database.
const globalForDb = globalThis as unknown as { __mailportDb?: Promise<OpenDatabase> };

function sharedDatabase(): Promise<OpenDatabase> {
  if (!globalForDb.__mailportDb) {
    const opening = openDatabase(getConfig().database);
    // A failed open must not be cached forever: the next caller retries.
    opening.catch(() => {
      if (globalForDb.__mailportDb === opening) globalForDb.__mailportDb = undefined;
    });
    globalForDb.__mailportDb = opening;
  }
  return globalForDb.__mailportDb;
}

/** The process's Prisma client, opened (and in embedded mode migrated) on first use. */
export async function getDb(): Promise<Db> {
  return (await sharedDatabase()).client;
}

/**
 * The connection behind the process's client, for the job queue: on PGlite it
 * must share the one in-process database (a data directory has one owner).
 */
export async function getDbTarget(): Promise<MigrationTarget> {
  return (await sharedDatabase()).migrationTarget;
}

export async function closeDb(): Promise<void> {
  const opening = globalForDb.__mailportDb;
  globalForDb.__mailportDb = undefined;
  if (opening) await (await opening).close();
}

/**
 * Committed migrations the database has not applied. On PostgreSQL the app does
 * not migrate by itself (instances would race); it refuses to start instead.
 */
export async function findPendingMigrations(db: Db): Promise<string[]> {
  const committed = readCommittedMigrations().map((migration) => migration.name);
  let applied: string[] = [];
  try {
    const rows = await db.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`;
    applied = rows.map((row) => row.migration_name);
  } catch (error) {
    // No _prisma_migrations table yet: nothing has been applied.
    if (!/_prisma_migrations/.test(String((error as Error).message))) throw error;
  }
  return committed.filter((name) => !applied.includes(name));
}
