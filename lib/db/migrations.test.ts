import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPendingMigrations,
  type CommittedMigration,
  checksumOf,
  MigrationError,
  type MigrationTarget,
  markMigrationRolledBack,
  readCommittedMigrations,
} from './migrations';
import { applyMigrationsWithSchemaEngine, diffMigrationsToSchema } from './schema-engine';
import { openTestDatabase, type TestDatabase, type TestDatabaseKind, testDatabaseKinds } from './testing';

const committed = readCommittedMigrations();
const committedNames = committed.map((migration) => migration.name);

/** An empty database of the kind, with no migrations applied. */
const openEmpty = (kind: TestDatabaseKind) => openTestDatabase(kind, { migrated: false });

/** Runs one query on the target outside Prisma (the history table is not in schema.prisma). */
async function query<T>(target: MigrationTarget, sql: string): Promise<T[]> {
  if (target.kind === 'pglite') return (await target.pglite.query<T>(sql)).rows;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: target.connectionString });
  await client.connect();
  try {
    return (await client.query(sql)).rows as T[];
  } finally {
    await client.end();
  }
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

const historyOf = (target: MigrationTarget) =>
  query<HistoryRow>(
    target,
    `SELECT migration_name, checksum, finished_at, rolled_back_at, logs, applied_steps_count
     FROM _prisma_migrations ORDER BY started_at, migration_name`,
  );

const historyColumns = (target: MigrationTarget) =>
  query<Record<string, unknown>>(
    target,
    `SELECT column_name, data_type, character_maximum_length, is_nullable, column_default
     FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
  );

const tableExists = async (target: MigrationTarget, name: string) =>
  (await query<{ found: boolean }>(target, `SELECT to_regclass('${name}') IS NOT NULL AS found`))[0]?.found;

describe.each(testDatabaseKinds())('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  // The Wasm schema engine takes tens of seconds on PGlite when the machine is busy.
  it('the committed migrations produce exactly the schema in schema.prisma', { timeout: 180_000 }, async () => {
    expect(await diffMigrationsToSchema(database.target)).toBe('');
  });

  it('records every committed migration as Prisma does, and applying again does nothing', async () => {
    expect(committed.length).toBeGreaterThan(0);
    const rows = await historyOf(database.target);
    expect(rows.map((row) => row.migration_name)).toEqual(committedNames);
    for (const [index, row] of rows.entries()) {
      expect(row.checksum).toBe(committed[index]?.checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
    }
    expect(await applyPendingMigrations(database.target)).toEqual({ applied: [], modified: [] });
  });

  it('interoperates with prisma migrate deploy in both directions', { timeout: 180_000 }, async () => {
    const byPrisma = await openEmpty(kind);
    const byUs = await openEmpty(kind);
    try {
      expect(await applyMigrationsWithSchemaEngine(byPrisma.target)).toEqual(committedNames);
      // Prisma's history reads as up to date to us, with the checksums we compute.
      expect(await applyPendingMigrations(byPrisma.target)).toEqual({ applied: [], modified: [] });
      expect((await historyOf(byPrisma.target)).map((row) => row.checksum)).toEqual(
        committed.map((migration) => migration.checksum),
      );

      expect((await applyPendingMigrations(byUs.target)).applied).toEqual(committedNames);
      // And ours reads as up to date to Prisma; the history tables are the same table.
      expect(await applyMigrationsWithSchemaEngine(byUs.target)).toEqual([]);
      expect(await historyColumns(byUs.target)).toEqual(await historyColumns(byPrisma.target));
    } finally {
      await Promise.all([byPrisma.close(), byUs.close()]);
    }
  });

  it('processes starting at once apply each migration exactly once', async () => {
    const empty = await openEmpty(kind);
    try {
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => applyPendingMigrations(empty.target)));
      expect(outcomes.flatMap((outcome) => outcome.applied).sort()).toEqual(committedNames);
      expect(outcomes.filter((outcome) => outcome.applied.length > 0)).toHaveLength(1);
      expect((await historyOf(empty.target)).map((row) => row.migration_name)).toEqual(committedNames);
    } finally {
      await empty.close();
    }
  });

  it('a failing migration is rolled back, recorded as failed, and blocks until marked rolled back', async () => {
    const empty = await openEmpty(kind);
    const broken: CommittedMigration = {
      name: '29990101000000_broken',
      // The first statement succeeds: the transaction must undo it.
      sql: 'CREATE TABLE half_done (id INT);\nALTER TABLE no_such_table ADD COLUMN x INT;\n',
      checksum: '',
    };
    broken.checksum = checksumOf(broken.sql);
    try {
      const failure = await applyPendingMigrations(empty.target, [...committed, broken]).catch((error) => error);
      expect(failure).toBeInstanceOf(MigrationError);
      expect(failure.message).toMatch(/^migration 29990101000000_broken failed and was rolled back: .*no_such_table/);
      expect(await tableExists(empty.target, 'half_done')).toBe(false);
      const rows = await historyOf(empty.target);
      expect(rows.filter((row) => row.finished_at !== null).map((row) => row.migration_name)).toEqual(committedNames);
      const failedRow = rows.find((row) => row.migration_name === broken.name);
      expect(failedRow).toMatchObject({ finished_at: null, rolled_back_at: null, applied_steps_count: 0 });
      expect(failedRow?.logs).toMatch(/no_such_table/);

      // Start-up stays stopped, naming the migration, even with the file fixed.
      const fixed = { ...broken, sql: 'CREATE TABLE half_done (id INT);\n' };
      fixed.checksum = checksumOf(fixed.sql);
      const again = await applyPendingMigrations(empty.target, [...committed, fixed]).catch((error) => error);
      expect(again).toBeInstanceOf(MigrationError);
      expect(again.message).toMatch(/29990101000000_broken failed earlier.*--rolled-back 29990101000000_broken/);

      expect(await markMigrationRolledBack(empty.target, broken.name)).toBe(true);
      expect(await markMigrationRolledBack(empty.target, broken.name)).toBe(false);
      expect(await applyPendingMigrations(empty.target, [...committed, fixed])).toEqual({
        applied: [broken.name],
        modified: [],
      });
      expect(await tableExists(empty.target, 'half_done')).toBe(true);
    } finally {
      await empty.close();
    }
  });

  it('reports an applied migration whose file changed, without running it again', async () => {
    const [first, ...rest] = committed;
    if (!first) throw new Error('no committed migrations');
    const edited = { ...first, sql: `${first.sql}\n-- edited after it was applied\n` };
    edited.checksum = checksumOf(edited.sql);
    expect(await applyPendingMigrations(database.target, [edited, ...rest])).toEqual({
      applied: [],
      modified: [first.name],
    });
  });
});

describe('migrations read from the project', () => {
  const originalRoot = process.env.MAILPORT_PROJECT_ROOT;
  afterAll(() => {
    if (originalRoot === undefined) delete process.env.MAILPORT_PROJECT_ROOT;
    else process.env.MAILPORT_PROJECT_ROOT = originalRoot;
  });

  it('come in folder order, with the sha256 of each file as checksum', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mailport-migrations-'));
    cpSync(path.resolve('prisma'), path.join(root, 'prisma'), { recursive: true });
    const later = path.join(root, 'prisma/migrations/29990101000000_later');
    mkdirSync(later);
    writeFileSync(path.join(later, 'migration.sql'), 'SELECT 1;\n');
    // A folder without migration.sql is not a migration.
    mkdirSync(path.join(root, 'prisma/migrations/29990101000001_empty'));
    process.env.MAILPORT_PROJECT_ROOT = root;
    const found = readCommittedMigrations();
    expect(found.map((migration) => migration.name)).toEqual([...committedNames, '29990101000000_later']);
    // sha256sum of the file, as `prisma migrate deploy` records it.
    expect(found.at(-1)?.checksum).toBe('b4e0497804e46e0a0b0b8c31975b062152d551bac49c3c2e80932567b4085dcd');
  });
});

describe.each(testDatabaseKinds())('the enum_states migration on %s', (kind) => {
  const originalRoot = process.env.MAILPORT_PROJECT_ROOT;
  let database: TestDatabase | undefined;
  afterAll(async () => {
    if (originalRoot === undefined) delete process.env.MAILPORT_PROJECT_ROOT;
    else process.env.MAILPORT_PROJECT_ROOT = originalRoot;
    await database?.close();
  });

  it('converts the text values of statuses and states in place, keeping every row', { timeout: 180_000 }, async () => {
    // A project whose history stops before the migration: the database as it was.
    const root = mkdtempSync(path.join(tmpdir(), 'mailport-enum-migration-'));
    cpSync(path.resolve('prisma'), path.join(root, 'prisma'), { recursive: true });
    cpSync(path.resolve('package.json'), path.join(root, 'package.json'));
    cpSync(
      path.resolve('node_modules/@prisma/schema-engine-wasm'),
      path.join(root, 'node_modules/@prisma/schema-engine-wasm'),
      { recursive: true },
    );
    const later = readCommittedMigrations().map((migration) => migration.name);
    const index = later.findIndex((name) => name.endsWith('_enum_states'));
    expect(index).toBeGreaterThan(0);
    for (const name of later.slice(index)) rmSync(path.join(root, 'prisma/migrations', name), { recursive: true });
    // Opened before the root moves: the empty PGlite template is cached under the project's node_modules
    // (opened after, this test ran initdb in the copy: 2.5 s of its 3 s).
    database = await openTestDatabase(kind, { migrated: false });
    process.env.MAILPORT_PROJECT_ROOT = root;
    await applyPendingMigrations(database.target);
    const run = (sql: string) => database?.db.$executeRawUnsafe(sql);
    await run(`INSERT INTO developers (id, email, app_name) VALUES ('d1', 'd1@example.com', 'App')`);
    await run(`INSERT INTO accounts (id, developer_id, username) VALUES ('a1', 'd1', 'a1')`);
    await run(`INSERT INTO sources (id, account_id, label, email, server, port, tls_mode, username,
      authentication_type, credential_ciphertext, status, updated_at)
      VALUES ('s1', 'a1', 'l1', 'a1@example.com', 'imap.example.com', 993, 'TLS', 'a1', 'oauth2', 'x',
        'CONNECTION_IMPOSSIBLE', now()), ('s2', 'a1', 'l2', 'a1@example.com', 'imap.example.com', 993, 'TLS', 'a2',
        'password', 'x', 'DISABLED', now())`);
    await run(
      `INSERT INTO source_syncs (source_id, state, updated_at) VALUES ('s1', 'running', now()), ('s2', 'failed', now())`,
    );
    await run(`INSERT INTO callback_deliveries (id, source_id, url, event, body, state)
      VALUES ('c1', 's1', 'https://p.example.com', 'status_changed', '{}', 'delivered'),
             ('c2', 's2', 'https://p.example.com', 'initial_sync_completed', '{}', 'failed')`);

    process.env.MAILPORT_PROJECT_ROOT = originalRoot ?? '';
    if (originalRoot === undefined) delete process.env.MAILPORT_PROJECT_ROOT;
    expect((await applyPendingMigrations(database.target)).applied).toEqual(later.slice(index));

    const { db } = database;
    expect(
      await db.source.findMany({
        select: { id: true, status: true, authenticationType: true },
        orderBy: { id: 'asc' },
      }),
    ).toEqual([
      { id: 's1', status: 'CONNECTION_IMPOSSIBLE', authenticationType: 'oauth2' },
      { id: 's2', status: 'DISABLED', authenticationType: 'password' },
    ]);
    expect(
      await db.sourceSync.findMany({ select: { sourceId: true, state: true }, orderBy: { sourceId: 'asc' } }),
    ).toEqual([
      { sourceId: 's1', state: 'running' },
      { sourceId: 's2', state: 'failed' },
    ]);
    expect(
      await db.callbackDelivery.findMany({ select: { id: true, event: true, state: true }, orderBy: { id: 'asc' } }),
    ).toEqual([
      { id: 'c1', event: 'status_changed', state: 'delivered' },
      { id: 'c2', event: 'initial_sync_completed', state: 'failed' },
    ]);
    // The defaults survive the change of type.
    await db.sourceSync.delete({ where: { sourceId: 's1' } });
    await run(`INSERT INTO source_syncs (source_id, updated_at) VALUES ('s1', now())`);
    expect((await db.sourceSync.findUniqueOrThrow({ where: { sourceId: 's1' } })).state).toBe('queued');
    expect(await diffMigrationsToSchema(database.target)).toBe('');
  });
});
