import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
