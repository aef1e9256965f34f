import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { ensurePrivateDataDir, restrictNewFilesToOwner, tightenTree } from '@/lib/data-dir';
import { type DatabaseConfig, getConfig } from '@/lib/env';
import { acquireDataDirLock } from './data-dir-lock';
import { PrismaClient } from './generated/client';
import {
  applyPendingMigrations,
  type MigrationOutcome,
  type MigrationTarget,
  readCommittedMigrations,
} from './migrations';
import { embeddedStartParams } from './pglite-settings';
import { copyBestTemplateInto } from './pglite-template';

/**
 * The one module that owns the Prisma client. Callers get a PrismaClient and
 * never learn whether PGlite (embedded, on a worker thread of this process) or
 * PostgreSQL is behind it.
 */

export type Db = PrismaClient;

export { DatabaseBusyError } from './data-dir-lock';

interface OpenDatabase {
  client: PrismaClient;
  migrationTarget: MigrationTarget;
  /** What opening did to the schema (embedded mode migrates; PostgreSQL never does here). */
  migrations: MigrationOutcome;
  close: () => Promise<void>;
}

async function openEmbedded(dataDir: string, options: OpenOptions): Promise<OpenDatabase> {
  restrictNewFilesToOwner();
  ensurePrivateDataDir(dataDir);
  const release = acquireDataDirLock(dataDir);
  let pglite: PGlite | undefined;
  try {
    const [{ PGlite }, { PrismaPGlite }, { asPGlite, ThreadedPGlite }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('pglite-prisma-adapter'),
      import('./pglite-thread'),
    ]);
    const pgliteDir = path.join(dataDir, 'pglite');
    // A first start copies a template instead of running initdb (seconds; see pglite-template.ts).
    copyBestTemplateInto(pgliteDir);
    // On its own thread, so queries do not stall the app's event loop (pglite-thread.ts).
    pglite = asPGlite(await ThreadedPGlite.create({ dataDir: pgliteDir, startParams: embeddedStartParams(PGlite) }));
    const migrationTarget: MigrationTarget = { kind: 'pglite', pglite };
    // Embedded mode is for newcomers: the schema is always brought up to date on open.
    const migrations = options.migrate ? await applyPendingMigrations(migrationTarget) : { applied: [], modified: [] };
    if (migrations.modified.length > 0) console.warn(describeModifiedMigrations(migrations.modified));
    // PGlite sets modes of its own on open (0666 for a new cluster's files, 0644 for its relcache
    // files), past the umask; files it creates later follow the umask. This also fixes what older
    // versions left open (the data directory above is already 0700, so nobody got in meanwhile).
    // No notice: the one about the data directory above already said it (and this runs every start).
    const { failures } = tightenTree(pgliteDir);
    if (failures.length > 0) console.warn(`Mailport: could not make ${failures[0]} private; check its owner.`);
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
  // Without a connect timeout a request waits for the kernel's (minutes) when the server is unreachable;
  // 10 s is also how long a request may wait for a free pool connection (Prisma's classic pool timeout).
  const adapter = new PrismaPg({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
  const client = new PrismaClient({ adapter });
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
const globalForDb = globalThis as unknown as { __mailportDb?: Promise<OpenDatabase>; __mailportClient?: Db };

function sharedDatabase(): Promise<OpenDatabase> {
  if (!globalForDb.__mailportDb) {
    const opening = openDatabase(getConfig().database);
    // A failed open must not be cached forever: the next caller retries.
    opening.catch(() => {
      if (globalForDb.__mailportDb === opening) globalForDb.__mailportDb = undefined;
    });
    globalForDb.__mailportDb = opening;
    opening.then(
      (open) => {
        if (globalForDb.__mailportDb === opening) globalForDb.__mailportClient = open.client;
      },
      () => {},
    );
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

/**
 * Readiness: whether the database answers `SELECT 1` within `timeoutMs`. Never
 * throws; a database that cannot even be opened is not ready either.
 */
export async function isDatabaseReady(timeoutMs = 2_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ping = (async () => {
    const db = await getDb();
    await db.$queryRaw`SELECT 1`;
    return true as const;
  })().catch(() => false as const);
  try {
    return await Promise.race([ping, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether `db` is the process's client (not a test's or a script's own). */
export function isProcessDb(db: Db): boolean {
  return globalForDb.__mailportClient === db;
}

/** The process's client if it is open, without opening it. */
export function openProcessDb(): Db | undefined {
  return globalForDb.__mailportClient;
}

export async function closeDb(): Promise<void> {
  const opening = globalForDb.__mailportDb;
  globalForDb.__mailportDb = undefined;
  globalForDb.__mailportClient = undefined;
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

/**
 * For tests that drive route handlers in-process: make `client` the database
 * getDb() answers with. Closing it stays the caller's.
 */
export function useDatabaseForTesting(client: PrismaClient, migrationTarget: MigrationTarget): void {
  globalForDb.__mailportDb = Promise.resolve({
    client,
    migrationTarget,
    migrations: { applied: [], modified: [] },
    close: async () => {},
  });
}
