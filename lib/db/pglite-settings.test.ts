import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './client';
import { openTestDatabase } from './testing';

/**
 * The embedded database's memory settings (pglite-settings.ts) reach the
 * PostgreSQL it runs, in the app and in the tests alike: initdb's 128 MB of
 * shared buffers would sit in PGlite's WebAssembly memory for good.
 */

const scratch = mkdtempSync(path.join(tmpdir(), 'mailport-pglite-settings-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SETTINGS = `SELECT current_setting('shared_buffers') AS shared_buffers, current_setting('max_connections') AS max_connections`;

describe('embedded database settings', () => {
  it('the app opens PGlite with 16 MB of shared buffers and few connections, and it works', async () => {
    const open = await openDatabase({ kind: 'embedded', dataDir: path.join(scratch, 'app') });
    try {
      const [settings] =
        await open.client.$queryRawUnsafe<{ shared_buffers: string; max_connections: string }[]>(SETTINGS);
      expect(settings).toEqual({ shared_buffers: '16MB', max_connections: '8' });
      // More data than the buffers hold is still written and read back whole (pages go through the page cache).
      await open.client.$executeRawUnsafe(
        `CREATE TABLE filler AS SELECT n, repeat('x', 1000) AS body FROM generate_series(1, 20000) AS n`,
      );
      const [count] = await open.client.$queryRawUnsafe<{ n: number; total: bigint }[]>(
        'SELECT count(*)::int AS n, sum(length(body)) AS total FROM filler',
      );
      expect(count).toEqual({ n: 20000, total: 20_000_000n });
    } finally {
      await open.close();
    }
  });

  it('test databases run with the same settings', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const [settings] = await database.db.$queryRawUnsafe<{ shared_buffers: string }[]>(SETTINGS);
      expect(settings?.shared_buffers).toBe('16MB');
    } finally {
      await database.close();
    }
  });
});
