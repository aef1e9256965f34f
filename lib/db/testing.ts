import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PrismaClient } from './generated/client';
import { applyPendingMigrations, type MigrationTarget } from './migrations';
import { embeddedStartParams } from './pglite-settings';
import { copyTemplateInto, ensureEmptyTemplate, ensureMigratedTemplate, migrationsKey } from './pglite-template';

/**
 * Integration tests run every database test file on PGlite and, when
 * MAILPORT_TEST_DATABASE_URL names a reachable PostgreSQL server (npm test
 * starts one), on PostgreSQL too. Each call gets a fresh, migrated database,
 * copied from a template migrated once (vitest.setup.ts makes both before the
 * files start): a new PGlite costs ~2.5 s of initdb, a copy of its data
 * directory ~0.4 s (./pglite-template.ts); on PostgreSQL, CREATE DATABASE … TEMPLATE.
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

/** A fresh database; `migrated: false` gives an empty one, for tests of the migrations themselves. */
export async function openTestDatabase(
  kind: TestDatabaseKind,
  { migrated = true }: { migrated?: boolean } = {},
): Promise<TestDatabase> {
  return kind === 'pglite' ? openPglite(migrated) : openPostgres(migrated);
}

async function openPglite(migrated: boolean): Promise<TestDatabase> {
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
  ]);
  const template = migrated ? await ensureMigratedTemplate() : await ensureEmptyTemplate();
  // Copying the directory beat PGlite's dumpDataDir/loadDataDir tarball (~0.4 s against ~0.6 s).
  const copy = mkdtempSync(path.join(tmpdir(), 'mailport-test-pglite-'));
  const dataDir = path.join(copy, 'pglite');
  copyTemplateInto(template, dataDir);
  const pglite = await PGlite.create({ dataDir, startParams: embeddedStartParams(PGlite) });
  const target: MigrationTarget = { kind: 'pglite', pglite };
  const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    db,
    target,
    close: async () => {
      await db.$disconnect();
      await pglite.close();
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

async function runAdmin(serverUrl: string, sql: string): Promise<void> {
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/**
 * A migrated template database on the server, made once per set of migrations
 * and kept. Nobody stays connected to it, which CREATE DATABASE … TEMPLATE requires.
 */
export async function ensurePostgresTemplate(serverUrl = process.env.MAILPORT_TEST_DATABASE_URL): Promise<string> {
  const server = serverUrlOrThrow(serverUrl);
  const name = `mailport_template_${migrationsKey()}`;
  const { default: pg } = await import('pg');
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
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
  } finally {
    await admin.end();
  }
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
  const name = `mailport_test_${randomBytes(6).toString('hex')}`;
  const template = options.migrated ? ` TEMPLATE "${await ensurePostgresTemplate(server)}"` : '';
  await runAdmin(server, `CREATE DATABASE "${name}"${template}`);
  return {
    url: databaseUrl(server, name),
    drop: () => runAdmin(server, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

async function openPostgres(migrated: boolean): Promise<TestDatabase> {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const scratch = await createScratchPostgresDatabase(undefined, { migrated });
  const target: MigrationTarget = { kind: 'postgres', connectionString: scratch.url };
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: scratch.url, max: 10 }) });
  return {
    kind: 'postgres',
    db,
    target,
    close: async () => {
      await db.$disconnect();
      await scratch.drop();
    },
  };
}
