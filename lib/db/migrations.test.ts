import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPendingMigrations, diffMigrationsToSchema, MigrationError, readMigrationsList } from './migrations';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from './testing';

describe.each(testDatabaseKinds())('migrations on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('the committed migrations produce exactly the schema in schema.prisma', async () => {
    expect(await diffMigrationsToSchema(database.target)).toBe('');
  });

  it('records every committed migration as applied, and applying again does nothing', async () => {
    const committed = readMigrationsList().migrationDirectories.map((directory) => directory.path);
    expect(committed.length).toBeGreaterThan(0);
    const rows = await database.db.$queryRaw<{ migration_name: string }[]>`
      SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name`;
    expect(rows.map((row) => row.migration_name)).toEqual(committed);
    expect(await applyPendingMigrations(database.target)).toEqual([]);
  });
});

describe('a migration that fails', () => {
  const originalRoot = process.env.MAILPORT_PROJECT_ROOT;
  afterAll(() => {
    if (originalRoot === undefined) delete process.env.MAILPORT_PROJECT_ROOT;
    else process.env.MAILPORT_PROJECT_ROOT = originalRoot;
  });

  it('is reported as an error, not as applied', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mailport-migrations-'));
    cpSync(path.resolve('prisma'), path.join(root, 'prisma'), { recursive: true });
    cpSync(path.resolve('package.json'), path.join(root, 'package.json'));
    // Resolution of the Wasm engine starts from the project root's node_modules.
    cpSync(
      path.resolve('node_modules/@prisma/schema-engine-wasm'),
      path.join(root, 'node_modules/@prisma/schema-engine-wasm'),
      {
        recursive: true,
      },
    );
    const broken = path.join(root, 'prisma/migrations/29990101000000_broken');
    mkdirSync(broken);
    writeFileSync(path.join(broken, 'migration.sql'), 'ALTER TABLE no_such_table ADD COLUMN x INT;\n');
    process.env.MAILPORT_PROJECT_ROOT = root;

    const database = await openTestDatabase('pglite').catch((error: unknown) => error);
    expect(database).toBeInstanceOf(MigrationError);
    expect((database as Error).message).toMatch(/no_such_table/);
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

  it('converts the text values of statuses and states in place, keeping every row', async () => {
    // A project whose history stops before the migration: the database as it was.
    const root = mkdtempSync(path.join(tmpdir(), 'mailport-enum-migration-'));
    cpSync(path.resolve('prisma'), path.join(root, 'prisma'), { recursive: true });
    cpSync(path.resolve('package.json'), path.join(root, 'package.json'));
    cpSync(
      path.resolve('node_modules/@prisma/schema-engine-wasm'),
      path.join(root, 'node_modules/@prisma/schema-engine-wasm'),
      { recursive: true },
    );
    const later = readMigrationsList().migrationDirectories.map((directory) => directory.path);
    const index = later.findIndex((name) => name.endsWith('_enum_states'));
    expect(index).toBeGreaterThan(0);
    for (const name of later.slice(index)) rmSync(path.join(root, 'prisma/migrations', name), { recursive: true });
    process.env.MAILPORT_PROJECT_ROOT = root;
    database = await openTestDatabase(kind);
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
    expect(await applyPendingMigrations(database.target)).toEqual(later.slice(index));

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
