import { spawnSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { errorResponse } from '@/lib/http/respond';
import { isDatabaseUnavailableError } from './availability';
import { PrismaClient } from './generated/client';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from './testing';

/**
 * Real failures from real peers, told apart: an unreachable, stopping or
 * silent server is "unavailable" (503, retry), a bad query is not (500).
 */

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the database call to fail');
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const clients: PrismaClient[] = [];
const servers: net.Server[] = [];
afterAll(async () => {
  await Promise.all(clients.map((client) => client.$disconnect().catch(() => {})));
  for (const server of servers) server.close();
});

function prismaAt(url: string): PrismaClient {
  const client = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: 2, connectionTimeoutMillis: 1_000 }),
  });
  clients.push(client);
  return client;
}

describe('isDatabaseUnavailableError', () => {
  it('recognises a server that refuses connections (Prisma model query, raw query, pg itself)', async () => {
    const url = `postgresql://postgres@127.0.0.1:${await closedPort()}/mailport`;
    const db = prismaAt(url);
    const model = await failureOf(() => db.developer.findMany({ take: 1 }));
    const raw = await failureOf(() => db.$queryRaw`SELECT 1`);
    const transaction = await failureOf(() => db.$transaction((tx) => tx.developer.count()));
    const direct = await failureOf(async () => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
    });
    for (const error of [model, raw, transaction, direct]) expect(isDatabaseUnavailableError(error)).toBe(true);
    expect((model as { code?: string }).code).toBe('P1001');
  });

  it('recognises a server that accepts but never answers, and one that hangs up', async () => {
    const silent = net.createServer(() => {}).listen(0, '127.0.0.1');
    const hangUp = net.createServer((socket) => socket.destroy()).listen(0, '127.0.0.1');
    servers.push(silent, hangUp);
    await Promise.all([silent, hangUp].map((server) => new Promise((resolve) => server.once('listening', resolve))));
    for (const server of [silent, hangUp]) {
      const { port } = server.address() as net.AddressInfo;
      const error = await failureOf(() => prismaAt(`postgresql://postgres@127.0.0.1:${port}/x`).developer.count());
      expect(isDatabaseUnavailableError(error)).toBe(true);
    }
  });

  it('recognises an embedded database that has been closed (shutting down)', async () => {
    const database = await openTestDatabase('pglite');
    if (database.target.kind !== 'pglite') throw new Error('pglite expected');
    await database.target.pglite.close();
    const error = await failureOf(() => database.db.developer.count());
    expect(isDatabaseUnavailableError(error)).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)(
    'recognises a full disk under the embedded database, which works again once space is freed',
    async () => {
      const mount = await mkdtemp(path.join(tmpdir(), 'mailport-full-disk-'));
      const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mount]);
      // Containers without CAP_SYS_ADMIN cannot mount: nothing to prove there.
      if (mounted.status !== 0) return;
      const { PGlite } = await import('@electric-sql/pglite');
      const pglite = new PGlite(path.join(mount, 'pgdata'));
      try {
        await pglite.exec('CREATE TABLE filler (id serial PRIMARY KEY, body text)');
        await pglite.query("INSERT INTO filler (body) VALUES ('before')");
        // Fill what the database left free.
        const filler = await open(path.join(mount, 'filler'), 'w');
        const chunk = Buffer.alloc(1 << 20);
        try {
          for (;;) await filler.write(chunk);
        } catch (error) {
          expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
        } finally {
          await filler.close();
        }
        const full = await failureOf(async () => {
          for (let i = 0; i < 2_000; i++)
            await pglite.query('INSERT INTO filler (body) VALUES ($1)', ['x'.repeat(4000)]);
        });
        expect((full as { code?: string }).code).toBe('53100');
        expect(isDatabaseUnavailableError(full)).toBe(true);
        await rm(path.join(mount, 'filler'));
        await pglite.query("INSERT INTO filler (body) VALUES ('after')");
        const kept = await pglite.query<{ body: string }>(
          "SELECT body FROM filler WHERE body IN ('before', 'after') ORDER BY id",
        );
        expect(kept.rows.map((row) => row.body)).toEqual(['before', 'after']);
      } finally {
        await pglite.close().catch(() => {});
        spawnSync('umount', ['-l', mount]);
        await rm(mount, { recursive: true, force: true });
      }
    },
  );

  it('does not take bugs and bad data for an outage', async () => {
    const database = await openTestDatabase('pglite');
    try {
      const missingTable = await failureOf(() => database.db.$queryRawUnsafe('SELECT * FROM no_such_table'));
      const syntax = await failureOf(() => database.db.$queryRawUnsafe('SELEKT 1'));
      for (const error of [missingTable, syntax, new Error('boom'), new TypeError('x is undefined'), null]) {
        expect(isDatabaseUnavailableError(error)).toBe(false);
      }
    } finally {
      await database.close();
    }
  });

  describe.runIf(testDatabaseKinds().includes('postgres'))('on PostgreSQL', () => {
    let database: TestDatabase;
    afterAll(async () => {
      await database?.close();
    });

    it('recognises a connection the server terminated mid-query (57P01), and recovers', async () => {
      database = await openTestDatabase('postgres');
      const { db } = database;
      const admin = new pg.Client({ connectionString: process.env.MAILPORT_TEST_DATABASE_URL });
      await admin.connect();
      try {
        if (database.target.kind !== 'postgres') throw new Error('postgres expected');
        const scratchName = new URL(database.target.connectionString).pathname.slice(1);
        // A Prisma query runs only once awaited: start it now, keep its outcome.
        const running = db.$queryRaw`SELECT 1 AS n FROM pg_sleep(10)`.then(
          () => new Error('the query was not interrupted'),
          (error: unknown) => error,
        );
        await expect
          .poll(async () => {
            const { rows } = await admin.query(
              "SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep%'",
              [scratchName],
            );
            return rows[0].n;
          })
          .toBe(1);
        await admin.query(
          'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
          [scratchName],
        );
        const midQuery = await running;
        expect(isDatabaseUnavailableError(midQuery)).toBe(true);
        // The pool replaces terminated connections by itself.
        await expect.poll(() => db.$queryRaw`SELECT 1 AS n`.then(() => 'ok').catch(() => 'down')).toBe('ok');
      } finally {
        await admin.end();
      }
    });

    it('does not take a unique violation for an outage', async () => {
      const { db } = database;
      await db.$executeRawUnsafe('CREATE TABLE IF NOT EXISTS probe_unique (n int PRIMARY KEY)');
      await db.$executeRawUnsafe('INSERT INTO probe_unique VALUES (1)');
      const error = await failureOf(() => db.$executeRawUnsafe('INSERT INTO probe_unique VALUES (1)'));
      expect(isDatabaseUnavailableError(error)).toBe(false);
    });
  });
});

describe('errorResponse for a database outage', () => {
  it('answers 503 with Retry-After in the API error format, and a bug still 500', async () => {
    const db = prismaAt(`postgresql://postgres@127.0.0.1:${await closedPort()}/mailport`);
    const outage = errorResponse(await failureOf(() => db.developer.count()), 'req1');
    expect(outage.status).toBe(503);
    expect(outage.headers.get('retry-after')).toBe('5');
    expect(outage.headers.get('content-type')).toBe('application/json');
    const body = await outage.json();
    expect(Object.keys(body)).toEqual(['type', 'value']);
    expect(body.type).toBe('error');
    expect(body.value).toMatch(/temporarily unavailable/);
    expect(body.value).not.toMatch(/127\.0\.0\.1|postgres/);

    const bug = errorResponse(new Error('boom'), 'req2');
    expect(bug.status).toBe(500);
    expect(bug.headers.get('retry-after')).toBeNull();
  });
});
