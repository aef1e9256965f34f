import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailableError } from './availability';
import { PrismaClient } from './generated/client';
import { applyPendingMigrations } from './migrations';
import { embeddedStartParams } from './pglite-settings';
import { copyTemplateInto, ensureMigratedTemplate } from './pglite-template';
import { asPGlite, ThreadedPGlite } from './pglite-thread';
import { openTestDatabase } from './testing';

/**
 * The embedded database on its own thread answers as the in-process PGlite did:
 * Prisma's reads, writes, errors and interactive transactions, PGlite's parsers,
 * the migrations — and the app's thread stays free while a query runs.
 */

const scratch = mkdtempSync(path.join(tmpdir(), 'mailport-pglite-thread-'));
let database: ThreadedPGlite;
let counter = 0;
const newId = () => `dev_thread_${++counter}`;
let db: PrismaClient;

beforeAll(async () => {
  // The migrated template, as the app's first start copies one (initdb would cost seconds of CPU).
  const dataDir = path.join(scratch, 'pglite');
  copyTemplateInto(await ensureMigratedTemplate(), dataDir);
  database = await ThreadedPGlite.create({ dataDir, startParams: embeddedStartParams(PGlite) });
  await applyPendingMigrations({ kind: 'pglite', pglite: asPGlite(database) });
  db = new PrismaClient({ adapter: new PrismaPGlite(asPGlite(database)) });
}, 120_000);

afterAll(async () => {
  await db?.$disconnect();
  await database?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('ThreadedPGlite', () => {
  it('parses values as PGlite does (numbers, booleans, json, timestamps, arrays, bytea, null)', async () => {
    const { rows } = await database.query<Record<string, unknown>>(
      `SELECT 1::int AS i, 2::bigint AS b, true AS t, '{"a":[1]}'::jsonb AS j,
              '2026-01-02T03:04:05Z'::timestamptz AS ts, ARRAY[1,2]::int[] AS a, '\\x0102'::bytea AS bytes,
              NULL::text AS n, $1::text AS p`,
      ['param'],
    );
    // The same statement in process (a test database is an in-process PGlite).
    const inProcess = await openTestDatabase('pglite');
    try {
      if (inProcess.target.kind !== 'pglite') throw new Error('expected PGlite');
      const expected = await inProcess.target.pglite.query(
        `SELECT 1::int AS i, 2::bigint AS b, true AS t, '{"a":[1]}'::jsonb AS j,
                '2026-01-02T03:04:05Z'::timestamptz AS ts, ARRAY[1,2]::int[] AS a, '\\x0102'::bytea AS bytes,
                NULL::text AS n, $1::text AS p`,
        ['param'],
      );
      expect(rows).toEqual(expected.rows);
    } finally {
      await inProcess.close();
    }
    expect(rows[0]?.ts).toBeInstanceOf(Date);
  });

  it('serves Prisma: writes, reads, a unique violation as P2002, an interactive transaction rolled back', async () => {
    const developer = await db.developer.create({
      data: { id: newId(), appName: 'Thread', email: 'thread@example.com' },
    });
    expect(await db.developer.findUnique({ where: { id: developer.id } })).toMatchObject({
      email: 'thread@example.com',
    });
    await expect(
      db.developer.create({ data: { id: newId(), appName: 'Thread', email: 'thread@example.com' } }),
    ).rejects.toMatchObject({
      code: 'P2002',
    });
    await expect(
      db.$transaction(async (tx) => {
        await tx.developer.create({ data: { id: newId(), appName: 'Thread', email: 'rolled-back@example.com' } });
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect(await db.developer.count({ where: { email: 'rolled-back@example.com' } })).toBe(0);
    await db.$transaction(async (tx) => {
      await tx.developer.create({ data: { id: newId(), appName: 'Thread', email: 'committed@example.com' } });
    });
    expect(await db.developer.count({ where: { email: 'committed@example.com' } })).toBe(1);
  });

  it('keeps 64 requests in flight, transactions among them, each seeing its own writes', async () => {
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        i % 4 === 0
          ? db.$transaction(async (tx) => {
              const created = await tx.developer.create({
                data: { id: newId(), appName: 'Thread', email: `burst-${i}@example.com` },
              });
              return (await tx.developer.findUnique({ where: { id: created.id } }))?.email;
            })
          : db.developer
              .create({ data: { id: newId(), appName: 'Thread', email: `burst-${i}@example.com` } })
              .then((created) => db.developer.findUnique({ where: { id: created.id } }))
              .then((found) => found?.email),
      ),
    );
    expect(results).toEqual(Array.from({ length: 64 }, (_, i) => `burst-${i}@example.com`));
    expect(await db.developer.count({ where: { email: { startsWith: 'burst-' } } })).toBe(64);
  });

  it("leaves the app's event loop free while a query runs", async () => {
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 10);
    try {
      // A query that keeps PostgreSQL busy for a while: in process this would block every timer.
      const started = Date.now();
      await database.query(
        'SELECT count(*) FROM generate_series(1, 3000000) AS a JOIN generate_series(1, 1) AS b ON a.a > b.b',
      );
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThan(200);
      // Timers kept firing: at least a third of the 10 ms ticks the query's time had room for.
      expect(ticks).toBeGreaterThan(elapsed / 10 / 3);
    } finally {
      clearInterval(timer);
    }
  });

  // Last: it closes the thread the tests above share.
  it('after close, a query fails as an outage (503), not as a bug', async () => {
    await db.$disconnect();
    await database.close();
    const error = await database.query('SELECT 1').catch((caught: unknown) => caught);
    expect(isDatabaseUnavailableError(error)).toBe(true);
  });
});
