import { describe, expect, it } from 'vitest';
import { readCommittedMigrations } from './migrations';
import { openTestDatabase } from './testing';

/** What every new embedded data directory starts from (copied by the first start, and by tests). */
describe('the migrated PGlite template', () => {
  it('holds the postgres database alone, migrated', async () => {
    const database = await openTestDatabase('pglite');
    try {
      if (database.target.kind !== 'pglite') throw new Error('expected PGlite');
      const { pglite } = database.target;
      const databases = await pglite.query<{ datname: string }>('SELECT datname FROM pg_database');
      // template0/template1 only serve CREATE DATABASE; dropping them halves what a first start copies.
      expect(databases.rows.map((row) => row.datname)).toEqual(['postgres']);
      const applied = await pglite.query<{ migration_name: string }>(
        'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL ORDER BY migration_name',
      );
      expect(applied.rows.map((row) => row.migration_name)).toEqual(readCommittedMigrations().map((m) => m.name));
      // And it is a working database: Prisma reads and writes through it.
      expect(await database.db.developer.count()).toBe(0);
    } finally {
      await database.close();
    }
  });
});
