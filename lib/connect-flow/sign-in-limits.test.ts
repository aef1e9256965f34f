import { readFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { flowErrorMessage, signInErrorMessage } from '@/components/connect/messages';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { createConnectToken } from '@/lib/connect-tokens/mutations';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { translatorFor } from '@/lib/i18n/messages';
import { verifyImapLogin } from '@/lib/imap/verify';
import { RATE_LIMITS } from '@/lib/rate-limits/schema';
import { loadConnectPage } from './data';
import { type ConnectFlowDeps, openConnectFlow, type SignInResult, saveIdentity, signIn } from './mutations';
import { readFlowError } from './schema';

/**
 * The connect flow's guessing limits under concurrency, against a real Dovecot
 * (and, for timeouts, a TCP server that accepts and never answers): many
 * sign-ins in flight at once, counting the logins that reach the server.
 */

const TOKEN = RATE_LIMITS.connectToken; // 5 per token per 15 minutes
const MAILBOX = RATE_LIMITS.connectMailbox; // 10 per mailbox per hour
const ADDRESS = RATE_LIMITS.connectAddress; // 30 per client address per hour

const users = {
  burst: { username: 'burst@mailport.test', password: 'burst password 1' },
  shared: { username: 'shared@mailport.test', password: 'shared password 1' },
};
let dovecot: DovecotServer;
/** Accepts IMAP connections and never sends a greeting: every login times out. */
let silent: { server: Server; port: number; connections: number; sockets: Socket[] };

beforeAll(async () => {
  dovecot = await startDovecot({ users: Object.values(users) });
  const sockets: Socket[] = [];
  const server = createServer((socket) => {
    silent.connections += 1;
    sockets.push(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  silent = { server, port: address.port, connections: 0, sockets };
});
afterAll(async () => {
  await dovecot?.stop();
  for (const socket of silent?.sockets ?? []) socket.destroy();
  await new Promise((resolve) => silent?.server.close(resolve));
});

/** Failed logins Dovecot itself recorded for a username: what really reached the server. */
async function dovecotAuthFailures(username: string): Promise<number> {
  const log = await readFile(path.join(dovecot.dir, 'dovecot.log'), 'utf8').catch(() => '');
  return log.split('\n').filter((line) => line.includes('auth failed') && line.includes(`user=<${username}>`)).length;
}

const en = translatorFor('en');
const context = { server: '127.0.0.1', appName: 'Test app', expected: '' };

function countingDeps(timeoutMs?: number) {
  const calls = { verify: 0 };
  const deps: ConnectFlowDeps = {
    discover: async () => ({ found: false }),
    verify: (login) => {
      calls.verify += 1;
      return verifyImapLogin(login, { allowPrivateHosts: true, ...(timeoutMs ? { timeoutMs } : {}) });
    },
    startSync: async () => {},
  };
  return { deps, calls };
}

const errorsOf = (results: SignInResult[]) =>
  results.reduce<Record<string, number>>((counts, result) => {
    const key = result.ok ? 'ok' : result.error;
    counts[key] = (counts[key] ?? 0) + 1;
    return counts;
  }, {});

describe.each(testDatabaseKinds())('connect-flow guessing limits on %s', (kind) => {
  let database: TestDatabase;
  const developers: string[] = [];
  const start = new Date('2026-11-26T10:00:00Z');
  const at = (ms: number) => new Date(start.getTime() + ms);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    for (const name of ['one', 'two']) {
      developers.push(
        (await createDeveloperKey(database.db, { email: `${name}@example.com`, appName: `App ${name}` })).developerId,
      );
    }
  });
  afterAll(async () => {
    await database?.close();
  });

  async function openedFlow(developerId: string, deps: ConnectFlowDeps) {
    const created = await createConnectToken(
      database.db,
      developerId,
      { level: 'top' },
      // No email on the token: a pinned one would refuse the other mailboxes these tests sign in to.
      { callback_url: 'https://partner.example.com/back' },
      start,
    );
    if (!created.ok) throw new Error(created.reason);
    const opened = await loadConnectPage(database.db, created.token, start);
    if (opened.kind !== 'active') throw new Error(`token is ${opened.kind}`);
    await openConnectFlow(database.db, opened.row, deps, start);
    await saveIdentity(database.db, opened.row, { email: 'someone@mailport.test' }, deps, start);
    const loaded = await loadConnectPage(database.db, created.token, start);
    if (loaded.kind !== 'active') throw new Error(`token is ${loaded.kind}`);
    return loaded.row;
  }

  const login = (username: string, password: string, port = dovecot.port) => ({
    server: '127.0.0.1',
    port,
    tlsMode: 'NONE' as const,
    username,
    password,
  });

  it('lets at most 5 of 25 concurrent wrong passwords on one token reach the server', async () => {
    const { deps, calls } = countingDeps();
    const row = await openedFlow(developers[0]!, deps);
    const failuresBefore = await dovecotAuthFailures(users.burst.username); // one Dovecot serves both databases
    const results = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        signIn(database.db, row, login(users.burst.username, `guess ${i}`), '203.0.113.1', deps, start),
      ),
    );
    expect(calls.verify).toBe(TOKEN.max);
    expect(errorsOf(results)).toEqual({ auth_failed: TOKEN.max, rate_limited: 25 - TOKEN.max });
    await vi.waitFor(async () =>
      expect((await dovecotAuthFailures(users.burst.username)) - failuresBefore).toBe(TOKEN.max),
    );

    // Paused for the token, even with the right password, and the page says so plainly.
    const right = login(users.burst.username, users.burst.password);
    expect(await signIn(database.db, row, right, '203.0.113.1', deps, at(60_000))).toEqual({
      ok: false,
      error: 'rate_limited',
    });
    expect(calls.verify).toBe(TOKEN.max);
    const flow = await database.db.connectFlow.findUniqueOrThrow({ where: { tokenId: row.id } });
    expect(flow.error).toEqual({ kind: 'code', code: 'rate_limited' });
    expect(flowErrorMessage(en, readFlowError(flow.error)!, context)).toBe(
      'Too many attempts to sign in. Wait 15 minutes before you try again.',
    );
    expect(await signIn(database.db, row, right, '203.0.113.1', deps, at(TOKEN.windowMs))).toMatchObject({ ok: true });
  });

  it('limits one mailbox across tokens of two developers: new tokens buy no more guesses', async () => {
    const { deps, calls } = countingDeps();
    const rows = [];
    for (const developerId of [developers[0]!, developers[0]!, developers[1]!, developers[1]!]) {
      rows.push(await openedFlow(developerId, deps));
    }
    const failuresBefore = await dovecotAuthFailures(users.shared.username);
    // 20 at once: 5 per token (within each token's limit), each token from its own address.
    const results = await Promise.all(
      rows.flatMap((row, t) =>
        Array.from({ length: TOKEN.max }, (_, i) =>
          signIn(database.db, row, login(users.shared.username, `guess ${t}-${i}`), `198.51.100.${t}`, deps, start),
        ),
      ),
    );
    expect(calls.verify).toBe(MAILBOX.max);
    expect(errorsOf(results)).toEqual({ auth_failed: MAILBOX.max, mailbox_rate_limited: 20 - MAILBOX.max });
    await vi.waitFor(async () =>
      expect((await dovecotAuthFailures(users.shared.username)) - failuresBefore).toBe(MAILBOX.max),
    );

    // Another token, another address, the username in capitals and another port: still the same mailbox.
    const fresh = await openedFlow(developers[1]!, deps);
    const variant = { ...login(users.shared.username.toUpperCase(), users.shared.password), port: 143 };
    const refused = await signIn(database.db, fresh, variant, '192.0.2.99', deps, at(MAILBOX.windowMs - 1000));
    expect(refused).toEqual({ ok: false, error: 'mailbox_rate_limited' });
    expect(calls.verify).toBe(MAILBOX.max);
    expect(signInErrorMessage(en, 'mailbox_rate_limited', context)).toMatch(
      /^There have been too many attempts to sign in to this mailbox.*Wait an hour, then try again\.$/,
    );
    const right = login(users.shared.username, users.shared.password);
    expect(await signIn(database.db, fresh, right, '192.0.2.99', deps, at(MAILBOX.windowMs))).toMatchObject({
      ok: true,
    });
  });

  it('limits one client address across tokens and mailboxes', async () => {
    const { deps, calls } = countingDeps();
    const rows = [];
    for (let t = 0; t < 8; t++) rows.push(await openedFlow(developers[t % 2]!, deps));
    // 40 at once from one address: 5 per token, every one at a different mailbox.
    const results = await Promise.all(
      rows.flatMap((row, t) =>
        Array.from({ length: TOKEN.max }, (_, i) =>
          signIn(database.db, row, login(`nobody-${t}-${i}@mailport.test`, 'guess'), '2001:db8:5::1', deps, start),
        ),
      ),
    );
    expect(calls.verify).toBe(ADDRESS.max);
    expect(errorsOf(results)).toEqual({ auth_failed: ADDRESS.max, address_rate_limited: 40 - ADDRESS.max });
    expect(signInErrorMessage(en, 'address_rate_limited', context)).toBe(
      'There have been too many attempts to sign in from your network. Wait an hour, then try again.',
    );
  });

  it('counts logins that time out (the server may have checked the password), but not refused connections', async () => {
    const { deps, calls } = countingDeps(500);
    const row = await openedFlow(developers[0]!, deps);
    const before = silent.connections;
    const slow = login('slow@mailport.test', 'guess', silent.port);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => signIn(database.db, row, slow, '203.0.113.50', deps, start)),
    );
    expect(errorsOf(results)).toEqual({ timeout: TOKEN.max, rate_limited: 10 - TOKEN.max });
    expect(silent.connections - before).toBe(TOKEN.max);
    expect(await signIn(database.db, row, slow, '203.0.113.50', deps, start)).toEqual({
      ok: false,
      error: 'rate_limited',
    });
    expect(silent.connections - before).toBe(TOKEN.max);

    // A refused connection never carried the password: it gives its attempt back, so it never pauses the flow.
    const other = await openedFlow(developers[1]!, deps);
    calls.verify = 0;
    for (let i = 0; i < TOKEN.max + 2; i++) {
      expect(
        await signIn(database.db, other, login('slow@mailport.test', 'guess', 1), '203.0.113.51', deps, start),
      ).toMatchObject({ ok: false, error: 'connection_refused' });
    }
    expect(calls.verify).toBe(TOKEN.max + 2);
  });
});
