import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { type LocalHttpsServer, startLocalHttpsServer } from '@/e2e/fixtures/https';
import { createConnectToken } from '@/lib/connect-tokens/mutations';
import { decryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { discoverImapSettings, networkDiscoveryDeps } from '@/lib/discovery/discover';
import { verifyImapLogin } from '@/lib/imap/verify';
import { rateLimitKey } from '@/lib/rate-limits/mutations';
import { RATE_LIMITS } from '@/lib/rate-limits/schema';
import { loadConnectPage } from './data';
import { type ConnectFlowDeps, openConnectFlow, saveIdentity, signIn } from './mutations';
import { MAX_DISCOVERY_PROBES } from './schema';
import { positionOf } from './steps';

const MAX_LOGIN_FAILURES = RATE_LIMITS.connectToken.max;
const LOGIN_FAILURE_WINDOW_MS = RATE_LIMITS.connectToken.windowMs;
/** The end user's address; the concurrency tests in sign-in-limits.test.ts vary it. */
const address = '198.51.100.7';

/**
 * The connect flow's domain against a real Dovecot: what the pages call, without
 * a browser. The e2e suite walks the same paths through Chromium.
 */

const mailbox = { username: 'flow@mailport.test', password: 'correct horse 7' };
let dovecot: DovecotServer;
/** An autoconfig host that holds every answer until `releaseAutoconfig`, then has no document. */
let autoconfigHost: LocalHttpsServer;
let releaseAutoconfig: () => void = () => {};
let autoconfigReleased = new Promise<void>((resolve) => {
  releaseAutoconfig = resolve;
});

beforeAll(async () => {
  [dovecot, autoconfigHost] = await Promise.all([
    startDovecot({ users: [mailbox] }),
    startLocalHttpsServer(['probe.test', '*.probe.test'], async (_request, response) => {
      await autoconfigReleased;
      response.writeHead(404).end();
    }),
  ]);
});
afterAll(async () => {
  releaseAutoconfig();
  await Promise.all([dovecot?.stop(), autoconfigHost?.stop()]);
});

/** Real IMAP logins (counted), and discovery that finds nothing, so no test goes to the network. */
function realDeps() {
  const calls = { verify: 0, syncsStarted: [] as string[] };
  const deps: ConnectFlowDeps = {
    discover: async () => ({ found: false }),
    verify: (login) => {
      calls.verify += 1;
      return verifyImapLogin(login, { allowPrivateHosts: true });
    },
    startSync: async (sourceId) => {
      calls.syncsStarted.push(sourceId);
    },
  };
  return { deps, calls };
}

/** The database operations a piece of the flow runs, as `Model.operation`, through a counting client. */
function countingDb(db: Db) {
  const operations: string[] = [];
  const counted = db.$extends({
    query: {
      $allModels: {
        $allOperations({ model, operation, args, query }) {
          operations.push(`${model}.${operation}`);
          return query(args);
        },
      },
    },
  }) as unknown as Db;
  const take = () => operations.splice(0, operations.length);
  return { db: counted, take };
}
const isRead = (operation: string) => /\.(find|count|aggregate|groupBy)/.test(operation);
const isWrite = (operation: string) => !isRead(operation);

describe.each(testDatabaseKinds())('connect flow on %s', (kind) => {
  let database: TestDatabase;
  let developerId: string;
  const start = new Date('2026-11-24T10:00:00Z');

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    developerId = (await createDeveloperKey(database.db, { email: 'flow@example.com', appName: 'Flow App' }))
      .developerId;
  });
  afterAll(async () => {
    await database?.close();
  });

  async function openedFlow(deps: ConnectFlowDeps) {
    const created = await createConnectToken(
      database.db,
      developerId,
      { level: 'top' },
      { callback_url: 'https://partner.example.com/back?user=42', email: mailbox.username },
      start,
    );
    if (!created.ok) throw new Error(created.reason);
    const opened = await loadConnectPage(database.db, created.token, start);
    if (opened.kind !== 'active') throw new Error(`token is ${opened.kind}`);
    await openConnectFlow(database.db, opened.row, deps, start);
    const loaded = await loadConnectPage(database.db, created.token, start);
    if (loaded.kind !== 'active') throw new Error(`token is ${loaded.kind}`);
    return { token: created.token, row: loaded.row };
  }

  const input = (password: string) => ({
    server: '127.0.0.1',
    port: dovecot.port,
    tlsMode: 'NONE' as const,
    username: mailbox.username,
    password,
  });

  it('opens with a guess when discovery finds nothing, then proves the password and creates the source', async () => {
    const { deps, calls } = realDeps();
    const { token, row } = await openedFlow(deps);
    expect(row.flow).toMatchObject({
      email: mailbox.username,
      server: 'imap.mailport.test',
      port: 993,
      tlsMode: 'TLS',
      settingsSource: 'guess',
    });

    const wrong = await signIn(database.db, row, input('wrong'), address, deps, start);
    expect(wrong).toMatchObject({ ok: false, error: 'auth_failed' });
    expect((await loadConnectPage(database.db, token, start)).kind).toBe('active'); // nothing used, nothing created

    const written: string[] = [];
    const originalWrite = process.stdout.write.bind(process.stdout);
    const originalErrorWrite = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stderr.write;
    let right: Awaited<ReturnType<typeof signIn>>;
    try {
      right = await signIn(database.db, row, input(mailbox.password), address, deps, start);
    } finally {
      process.stdout.write = originalWrite;
      process.stderr.write = originalErrorWrite;
    }
    expect(right).toEqual({
      ok: true,
      redirectUrl: `https://partner.example.com/back?user=42&contextio_token=${token}`,
    });
    expect(written.join('')).not.toContain(mailbox.password);

    const source = await database.db.source.findFirstOrThrow({ where: { account: { developerId } } });
    expect(source).toMatchObject({ server: '127.0.0.1', port: dovecot.port, username: mailbox.username });
    expect(source.credentialCiphertext).not.toContain(mailbox.password);
    expect(decryptSecret(source.credentialCiphertext)).toBe(mailbox.password);
    expect(calls.syncsStarted).toEqual([source.id]); // the initial sync is queued once, for this source
    const flow = await database.db.connectFlow.findUniqueOrThrow({ where: { tokenId: token } });
    expect(JSON.stringify(flow)).not.toContain(mailbox.password);
    expect((await loadConnectPage(database.db, token, start)).kind).toBe('used');
  });

  it('still sends the end user back when the sync cannot be queued; housekeeping queues it later', async () => {
    const { deps } = realDeps();
    const attempted: string[] = [];
    deps.startSync = async (sourceId) => {
      attempted.push(sourceId);
      throw new Error('job queue unreachable');
    };
    const { token, row } = await openedFlow(deps);
    const logged: string[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    };
    let result: Awaited<ReturnType<typeof signIn>>;
    try {
      result = await signIn(database.db, row, input(mailbox.password), address, deps, start);
    } finally {
      console.error = originalError;
    }
    expect(result).toEqual({
      ok: true,
      redirectUrl: `https://partner.example.com/back?user=42&contextio_token=${token}`,
    });
    expect(attempted).toHaveLength(1);
    expect(await database.db.source.count({ where: { id: attempted[0] } })).toBe(1);
    expect(logged.join('\n')).toContain('job queue unreachable');
    expect(logged.join('\n')).not.toContain(mailbox.password);
    expect((await loadConnectPage(database.db, token, start)).kind).toBe('used');
  });

  it('stops trying the server after repeated wrong passwords, until the window has passed', async () => {
    const { deps, calls } = realDeps();
    const { row } = await openedFlow(deps);
    for (let attempt = 1; attempt <= MAX_LOGIN_FAILURES; attempt++) {
      const at = new Date(start.getTime() + attempt * 1000);
      expect(await signIn(database.db, row, input(`guess-${attempt}`), address, deps, at)).toMatchObject({
        error: 'auth_failed',
      });
    }
    expect(calls.verify).toBe(MAX_LOGIN_FAILURES);
    const soon = new Date(start.getTime() + 60_000);
    expect(await signIn(database.db, row, input(mailbox.password), address, deps, soon)).toEqual({
      ok: false,
      error: 'rate_limited',
    });
    expect(calls.verify).toBe(MAX_LOGIN_FAILURES); // the server was not asked again

    const later = new Date(start.getTime() + MAX_LOGIN_FAILURES * 1000 + LOGIN_FAILURE_WINDOW_MS + 1);
    expect(await signIn(database.db, row, input(mailbox.password), address, deps, later)).toMatchObject({ ok: true });
  });

  it('opens a flow once when many first visits arrive at once (no error for any of them)', async () => {
    const { deps } = realDeps();
    // Several tokens, so the race is run more than once.
    for (let round = 0; round < 4; round++) {
      const created = await createConnectToken(
        database.db,
        developerId,
        { level: 'top' },
        { callback_url: 'https://partner.example.com/back', email: mailbox.username },
        start,
      );
      if (!created.ok) throw new Error(created.reason);
      const page = await loadConnectPage(database.db, created.token, start);
      if (page.kind !== 'active') throw new Error(page.kind);
      // Each visit read the token before any of them opened the flow, as concurrent GET ./start requests do.
      const visits = await Promise.allSettled(
        Array.from({ length: 24 }, () => openConnectFlow(database.db, page.row, deps, start)),
      );
      expect(visits.filter((visit) => visit.status === 'rejected').map((visit) => String(visit.reason))).toEqual([]);
      expect(await database.db.connectFlow.count({ where: { tokenId: created.token } })).toBe(1);
      const opened = await loadConnectPage(database.db, created.token, start);
      expect(opened.kind === 'active' && opened.row.flow).toMatchObject({
        email: mailbox.username,
        server: 'imap.mailport.test',
      });
    }
  });

  it('caps the outbound discovery probes per token, however many page loads discover at once', async () => {
    autoconfigReleased = new Promise<void>((resolve) => {
      releaseAutoconfig = resolve;
    });
    autoconfigHost.seen.length = 0;
    let mxQueries = 0;
    // Real discovery over real HTTPS; only DNS is a table (every name is the local server, no MX).
    const network = {
      ...networkDiscoveryDeps({
        allowPrivateHosts: true,
        resolve: async () => [{ address: '127.0.0.1', family: 4 }],
        connectTo: (address) => ({ address, port: autoconfigHost.port }),
        ca: autoconfigHost.ca,
      }),
      resolveMx: async () => {
        mxQueries += 1;
        return [];
      },
    };
    const { deps } = realDeps();
    deps.discover = async (email, { takeProbe }) =>
      discoverImapSettings(email, network, { takeProbe, stepTimeoutMs: 20_000 }).then((result) =>
        result.found ? { found: true as const, settings: result.settings } : { found: false as const },
      );

    const created = await createConnectToken(
      database.db,
      developerId,
      { level: 'top' },
      { callback_url: 'https://partner.example.com/back' },
      start,
    );
    if (!created.ok) throw new Error(created.reason);
    const loadActive = async () => {
      const page = await loadConnectPage(database.db, created.token, start);
      if (page.kind !== 'active') throw new Error(page.kind);
      return page.row;
    };
    await openConnectFlow(database.db, await loadActive(), deps, start); // the flow row, no address yet
    const row = await loadActive();

    // 25 form posts of an address at once, each starting a discovery (3 probes each), and 25 page loads.
    const loads = Array.from({ length: 25 }, () => [
      saveIdentity(database.db, row, { email: 'jane@probe.test' }, deps, start),
      openConnectFlow(database.db, row, deps, start),
    ]).flat();
    const probesSpent = async () =>
      (await database.db.connectFlow.findUniqueOrThrow({ where: { tokenId: created.token } })).discoveryProbes;
    // Every probe granted became a request; the autoconfig ones are all held open at the server at once.
    await vi.waitFor(
      async () => {
        expect(await probesSpent()).toBe(MAX_DISCOVERY_PROBES);
        expect(autoconfigHost.seen.length + mxQueries).toBe(MAX_DISCOVERY_PROBES);
      },
      { timeout: 60_000, interval: 100 },
    );
    expect(autoconfigHost.inFlight()).toBe(autoconfigHost.seen.length);
    expect(autoconfigHost.inFlight()).toBeGreaterThan(5);
    releaseAutoconfig();
    await Promise.all(loads);

    expect(autoconfigHost.seen.length + mxQueries).toBe(MAX_DISCOVERY_PROBES);
    expect(await probesSpent()).toBe(MAX_DISCOVERY_PROBES);
    // The budget is spent: a new address still gets settings (the guess), without any network.
    await saveIdentity(database.db, await loadActive(), { email: 'john@probe.test' }, deps, start);
    const flow = await database.db.connectFlow.findUniqueOrThrow({ where: { tokenId: created.token } });
    expect(flow).toMatchObject({ email: 'john@probe.test', server: 'imap.probe.test', settingsSource: 'guess' });
    expect(autoconfigHost.seen.length + mxQueries).toBe(MAX_DISCOVERY_PROBES);
  });

  it('reads the token once per render, start and action, writes nothing while rendering, redeems with no read', async () => {
    const { deps } = realDeps();
    const counting = countingDb(database.db);
    const created = await createConnectToken(
      database.db,
      developerId,
      { level: 'top' },
      { callback_url: 'https://partner.example.com/back', email: mailbox.username },
      start,
    );
    if (!created.ok) throw new Error(created.reason);
    // What the page renders from: one read, and a first visit is sent to GET ./start.
    const render = async () => {
      const page = await loadConnectPage(counting.db, created.token, start);
      if (page.kind !== 'active') throw new Error(page.kind);
      return {
        page,
        position: positionOf({ ...page, tokenEmail: page.row.email, flow: page.row.flow, revisit: null }),
      };
    };
    expect((await render()).position).toEqual({ kind: 'prepare' });
    expect(counting.take()).toEqual(['ConnectToken.findUnique']);

    // GET ./start: one read, then the flow opened and its settings discovered (writes only).
    const { page } = await render();
    await openConnectFlow(counting.db, page.row, deps, start);
    const startOperations = counting.take();
    expect(startOperations.filter(isRead)).toEqual(['ConnectToken.findUnique']);
    expect(startOperations.filter(isWrite)).toContain('ConnectFlow.upsert');

    const ready = await render();
    expect(ready.position).toMatchObject({ kind: 'step', step: 'sign-in' });
    expect(counting.take()).toEqual(['ConnectToken.findUnique']);

    // The sign-in action: its one read of the token, then the login and the redeem read nothing more.
    const action = await render();
    const result = await signIn(counting.db, action.page.row, input(mailbox.password), address, deps, start);
    expect(result).toMatchObject({ ok: true });
    const actionReads = counting.take().filter(isRead);
    expect(actionReads.filter((operation) => operation.startsWith('ConnectToken.'))).toEqual([
      'ConnectToken.findUnique',
    ]);
    expect(actionReads.filter((operation) => operation.startsWith('ConnectFlow.'))).toEqual([]);
  });

  it('does not count an unreachable server as a wrong password', async () => {
    const { deps } = realDeps();
    const { token, row } = await openedFlow(deps);
    const refused = await signIn(database.db, row, { ...input(mailbox.password), port: 1 }, address, deps, start);
    expect(refused).toMatchObject({ ok: false, error: 'connection_refused' });
    const flow = await database.db.connectFlow.findUniqueOrThrow({ where: { tokenId: token } });
    expect(flow.error).toEqual({ kind: 'code', code: 'connection_refused' });
    // The attempt was given back: the password never left this machine.
    const counter = await database.db.rateLimitCounter.findUnique({
      where: { key: rateLimitKey(RATE_LIMITS.connectToken, token) },
    });
    expect(counter?.count).toBe(0);
  });
});
