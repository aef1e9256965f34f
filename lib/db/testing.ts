import { randomBytes } from 'node:crypto';
import { PrismaClient } from './generated/client';
import { applyPendingMigrations, type MigrationTarget } from './migrations';

/**
 * Integration tests run every database test file on PGlite and, when
 * MAILPORT_TEST_DATABASE_URL names a reachable PostgreSQL server (npm test
 * starts one), on PostgreSQL too. Each call gets a fresh, migrated database.
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

export async function openTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  return kind === 'pglite' ? openPglite() : openPostgres();
}

async function openPglite(): Promise<TestDatabase> {
  const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
  ]);
  const pglite = await PGlite.create();
  const target: MigrationTarget = { kind: 'pglite', pglite };
  await applyPendingMigrations(target);
  const db = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    db,
    target,
    close: async () => {
      await db.$disconnect();
      await pglite.close();
    },
  };
}

/** A new database on the server per call, so test files (and bench runs) never see each other's rows. */
export async function createScratchPostgresDatabase(
  serverUrl = process.env.MAILPORT_TEST_DATABASE_URL,
): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!serverUrl) throw new Error('MAILPORT_TEST_DATABASE_URL is not set');
  const { default: pg } = await import('pg');
  const name = `mailport_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

async function openPostgres(): Promise<TestDatabase> {
  const { PrismaPg } = await import('@prisma/adapter-pg');
  const scratch = await createScratchPostgresDatabase();
  const target: MigrationTarget = { kind: 'postgres', connectionString: scratch.url };
  await applyPendingMigrations(target);
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
