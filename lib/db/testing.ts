import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { PrismaClient } from './generated/client';
import { applyPendingMigrations, type MigrationTarget } from './migrations';
import { embeddedStartParams } from './pglite-settings';
import { copyTemplateInto, ensureEmptyTemplate, ensureMigratedTemplate, migrationsKey } from './pglite-template';

/**
 * Integration tests run every database test file on PGlite and, when
 * MAILPORT_TEST_DATABASE_URL names a reachable PostgreSQL server (npm test
 * starts one), on PostgreSQL too. Each call gets a migrated database with no
 * rows: a new one is copied from a template migrated once (vitest.setup.ts makes
 * both before the files start; a new PGlite costs ~2.5 s of initdb, a copy of its
 * data directory and its start ~0.75 s of CPU, ./pglite-template.ts; on
 * PostgreSQL, CREATE DATABASE … TEMPLATE). Test files share processes
 * (vitest.config.ts), so a closed database is emptied and kept for the process's
 * next file instead (see the pool below).
 */

export type TestDatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: TestDatabaseKind;
  db: PrismaClient;
  target: MigrationTarget;
  close: () => Promise<void>;
}

export function testDatabaseKinds(): TestDatabaseKind[] {
  return process.env.MAILPORT_TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

/**
 * A migrated database without rows; `migrated: false` gives an empty one, for tests of the migrations
 * themselves (never pooled: they change the schema).
 */
export async function openTestDatabase(
  kind: TestDatabaseKind,
  { migrated = true }: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  const create = () => (kind === 'pglite' ? startPglite(migrated) : createPostgres(migrated));
  if (!migrated) return lend(await create(), { keep: false });
  return lend(takeKeptDatabase(kind) ?? (await create()), { keep: true });
}

/**
 * The pool: a database a test file closed is kept open for the process's next file, once it is
 * emptied (every table but the migration history truncated, pg-boss's schema dropped). Each file
 * gets a new Prisma client (nothing keyed by the old one, such as a bound job queue, carries over)
 * and, on PGlite, a handle that refuses queries once closed, so work a file left running fails as
 * it did against a closed database instead of reaching the next file's rows. A database that
 * cannot be proven clean (a transaction left open, a table added or dropped, another client still
 * connected on PostgreSQL, a closed PGlite) is closed for good instead.
 */
interface KeptDatabase {
  kind: TestDatabaseKind;
  /** The tables of a fresh migrated database, to tell one a test changed. */
  tables: string;
  pglite?: PGlite;
  postgresUrl?: string;
  destroy: () => Promise<void>;
}

const keptDatabases: KeptDatabase[] = [];
const KEEP_AT_MOST = 2;

function takeKeptDatabase(kind: TestDatabaseKind): KeptDatabase | undefined {
  const index = keptDatabases.findIndex((kept) => kept.kind === kind);
  return index === -1 ? undefined : keptDatabases.splice(index, 1)[0];
}

/** The database behind a new Prisma client; closing it gives it back to the pool (`keep`) or destroys it. */
async function lend(kept: KeptDatabase, { keep }: { keep: boolean }): Promise<TestDatabase> {
  let closed = false;
  const release = () => (keep ? giveBack(kept) : kept.destroy());
  if (kept.pglite) {
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    const pglite = closableHandle(kept.pglite, () => closed);
    const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      kind: 'pglite',
      db,
      target: { kind: 'pglite', pglite },
      close: async () => {
        if (closed) return;
        await db.$disconnect();
        closed = true;
        await release();
      },
    };
  }
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const url = kept.postgresUrl as string;
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
  return {
    kind: 'postgres',
    db,
    target: { kind: 'postgres', connectionString: url },
    close: async () => {
      if (closed) return;
      closed = true;
      await db.$disconnect();
      await release();
    },
  };
}

/** The PGlite as the test sees it: the instance itself until the test closes it, then "PGlite is closed". */
function closableHandle(pglite: PGlite, isClosed: () => boolean): PGlite {
  return new Proxy(pglite, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (isClosed() && property !== 'close') return Promise.reject(new Error('PGlite is closed'));
        return (value as (...given: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

async function giveBack(kept: KeptDatabase): Promise<void> {
  const clean = await emptyForNextFile(kept).catch(() => false);
  if (clean && keptDatabases.length < KEEP_AT_MOST) keptDatabases.push(kept);
  else await kept.destroy();
}

const TABLES_SQL = `SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY schemaname, tablename) AS tables
  FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'pgboss')`;
const EMPTY_SQL = `DO $$ BEGIN
  EXECUTE (SELECT 'TRUNCATE ' || string_agg(format('%I.%I', schemaname, tablename), ', ') || ' RESTART IDENTITY CASCADE'
    FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations');
END $$;
DROP SCHEMA IF EXISTS pgboss CASCADE;`;

async function emptyForNextFile(kept: KeptDatabase): Promise<boolean> {
  if (kept.pglite) {
    const { pglite } = kept;
    if (pglite.closed || pglite.isInTransaction()) return false;
    await pglite.exec('RESET ALL');
    if ((await pglite.query<{ tables: string }>(TABLES_SQL)).rows[0]?.tables !== kept.tables) return false;
    await pglite.exec(EMPTY_SQL);
    return true;
  }
  return withPgClient(kept.postgresUrl as string, async (client) => {
    const others = await client.query(
      'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    if (others.rows[0].n > 0) return false;
    if ((await client.query(TABLES_SQL)).rows[0].tables !== kept.tables) return false;
    await client.query(EMPTY_SQL);
    return true;
  });
}

async function startPglite(migrated: boolean): Promise<KeptDatabase & { pglite: PGlite }> {
  const { PGlite } = await import('@electric-sql/pglite');
  const template = migrated ? await ensureMigratedTemplate() : await ensureEmptyTemplate();
  // Copying the directory beat PGlite's dumpDataDir/loadDataDir tarball (~0.4 s against ~0.6 s).
  const copy = mkdtempSync(path.join(tmpdir(), `mailport-test-pglite-${testRun() ?? 'x'}-`));
  const dataDir = path.join(copy, 'pglite');
  copyTemplateInto(template, dataDir);
  const pglite = await PGlite.create({ dataDir, startParams: embeddedStartParams(PGlite) });
  const tables = migrated ? ((await pglite.query<{ tables: string }>(TABLES_SQL)).rows[0]?.tables ?? '') : '';
  return {
    kind: 'pglite',
    pglite,
    tables,
    destroy: async () => {
      await pglite.close().catch(() => {});
      rmSync(copy, { recursive: true, force: true });
    },
  };
}

function serverUrlOrThrow(serverUrl: string | undefined): string {
  if (!serverUrl) throw new Error('MAILPORT_TEST_DATABASE_URL is not set');
  return serverUrl;
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Set by vitest.setup.ts for one `vitest run`: what its processes leave open is dropped at its end. */
const testRun = () => process.env.MAILPORT_TEST_RUN;
const scratchPrefix = () => `mailport_test_${testRun() ? `${testRun()}_` : ''}`;

/**
 * The end of a test run: the databases its processes kept (the pool above) are dropped and their
 * PGlite copies removed; each process has exited by then.
 */
export async function removeTestRunDatabases(run: string): Promise<void> {
  for (const entry of readdirSync(tmpdir())) {
    if (entry.startsWith(`mailport-test-pglite-${run}-`))
      rmSync(path.join(tmpdir(), entry), { recursive: true, force: true });
  }
  const server = process.env.MAILPORT_TEST_DATABASE_URL;
  if (!server) return;
  await withPgClient(server, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE 'mailport\\_test\\_' || $1 || '\\_%'",
      [run],
    );
    for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}

/** One connection for `work`, always closed after it. */
async function withPgClient<T>(url: string, work: (client: import('pg').Client) => Promise<T>): Promise<T> {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function runAdmin(serverUrl: string, sql: string): Promise<void> {
  await withPgClient(serverUrl, (admin) => admin.query(sql));
}

/**
 * A migrated template database on the server, made once per set of migrations
 * and kept. Nobody stays connected to it, which CREATE DATABASE … TEMPLATE requires.
 */
export async function ensurePostgresTemplate(serverUrl = process.env.MAILPORT_TEST_DATABASE_URL): Promise<string> {
  const server = serverUrlOrThrow(serverUrl);
  const name = `mailport_template_${migrationsKey()}`;
  return withPgClient(server, async (admin) => {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return name;
    const building = `${name}_b${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE "${building}"`);
    try {
      await applyPendingMigrations({ kind: 'postgres', connectionString: databaseUrl(server, building) });
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${name}"`);
    } catch (error) {
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      // 42P04: another process renamed its template into place first.
      if ((error as { code?: string }).code !== '42P04') throw error;
    }
    return name;
  });
}

/**
 * A new database on the server per call, so test files (and bench runs) never
 * see each other's rows: empty, or (`migrated`) a copy of the migrated template.
 */
export async function createScratchPostgresDatabase(
  serverUrl = process.env.MAILPORT_TEST_DATABASE_URL,
  options: { migrated?: boolean } = {},
): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = serverUrlOrThrow(serverUrl);
  const name = `${scratchPrefix()}${randomBytes(6).toString('hex')}`;
  const template = options.migrated ? ` TEMPLATE "${await ensurePostgresTemplate(server)}"` : '';
  await runAdmin(server, `CREATE DATABASE "${name}"${template}`);
  return {
    url: databaseUrl(server, name),
    drop: () => runAdmin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function createPostgres(migrated: boolean): Promise<KeptDatabase> {
  const scratch = await createScratchPostgresDatabase(undefined, { migrated });
  let tables = '';
  if (migrated) {
    tables = (await withPgClient(scratch.url, (client) => client.query(TABLES_SQL))).rows[0]?.tables ?? '';
  }
  return { kind: 'postgres', postgresUrl: scratch.url, tables, destroy: scratch.drop };
}
