import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccount } from '@/lib/accounts/data';
import { decryptSecret } from '@/lib/crypto/secrets';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import type { JobQueue } from '@/lib/jobs/queue';
import type { ResolveHost } from '@/lib/network/guard';
import { findSource } from '@/lib/sources/data';
import { updateSource } from '@/lib/sources/mutations';
import type { MailboxSettings } from '@/lib/sources/schema';
import {
  type ConnectTokenScope,
  findConnectToken,
  findConnectTokenProgress,
  listConnectTokens,
  listConnectTokensForDashboard,
} from './data';
import {
  completeConnection,
  createConnectToken,
  deleteConnectToken,
  deleteUnusedConnectToken,
  purgeExpiredConnectTokens,
  redeemConnectToken,
} from './mutations';
import { CONNECT_TOKEN_LIFETIME_MS, EXPIRED_TOKEN_RETENTION_MS } from './schema';
import { serializeConnectToken } from './serialize';

const BASE = 'https://mail.example.com';

const mailbox = (email: string, overrides: Partial<MailboxSettings> = {}): MailboxSettings => ({
  email,
  server: 'imap.example.com',
  port: 993,
  tlsMode: 'TLS',
  username: email,
  authenticationType: 'password',
  secret: 'hunter2',
  ...overrides,
});

describe.each(testDatabaseKinds())('connect tokens on %s', (kind) => {
  let database: TestDatabase;
  let developerId: string;
  let otherDeveloperId: string;
  const now = new Date('2026-11-24T10:00:00Z');
  const top = { level: 'top' } as const;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    developerId = (await createDeveloperKey(database.db, { email: 'a@example.com', appName: 'A' })).developerId;
    otherDeveloperId = (await createDeveloperKey(database.db, { email: 'b@example.com', appName: 'B' })).developerId;
  });
  afterAll(async () => {
    await database?.close();
  });

  async function newTopToken(extra: Record<string, unknown> = {}) {
    const created = await createConnectToken(
      database.db,
      developerId,
      top,
      { callback_url: 'https://app.example.com/done', ...extra },
      now,
    );
    if (!created.ok) throw new Error(created.reason);
    return created.token;
  }

  it('creates a top-level token that serialises in Context.IO shape, unused', async () => {
    const token = await newTopToken({ email: 'jane@example.com', first_name: 'Jane', last_name: '*hidden*' });
    expect(token).toMatch(/^[0-9a-z]{16}$/);
    const row = await findConnectToken(database.db, developerId, top, token, now);
    expect(row).not.toBeNull();
    const json = serializeConnectToken(row!, BASE);
    expect(json).toMatchObject({
      token,
      email: 'jane@example.com',
      created: now.getTime() / 1000,
      used: 0,
      expires: now.getTime() / 1000 + 86400,
      callback_url: 'https://app.example.com/done',
      first_name: 'Jane',
      last_name: '',
      account: {},
      resource_url: `${BASE}/2.0/connect_tokens/${token}`,
      browser_redirect_url: `${BASE}/connect/${token}`,
    });
  });

  it('hides tokens from other developers and expired ones at once', async () => {
    const token = await newTopToken();
    expect(await findConnectToken(database.db, otherDeveloperId, top, token, now)).toBeNull();
    const justBefore = new Date(now.getTime() + CONNECT_TOKEN_LIFETIME_MS - 1000);
    const expiry = new Date(now.getTime() + CONNECT_TOKEN_LIFETIME_MS);
    expect(await findConnectToken(database.db, developerId, top, token, justBefore)).not.toBeNull();
    expect(await findConnectToken(database.db, developerId, top, token, expiry)).toBeNull();
    expect((await redeemConnectToken(database.db, token, { mailbox: mailbox('late@example.com') }, expiry)).ok).toBe(
      false,
    );
  });

  it('uses a top-level token once: one account, one source, encrypted credentials', async () => {
    const token = await newTopToken({
      first_name: 'Jane',
      source_sync_flags: true,
      source_callback_url: 'https://h.example.com/cb',
    });
    const used = await redeemConnectToken(
      database.db,
      token,
      { mailbox: mailbox('Jane@Example.com'), lastName: 'Doe' },
      now,
    );
    expect(used).toMatchObject({ ok: true, sourceLabel: 'jane@example.com::imap.example.com' });
    if (!used.ok) return;

    const again = await redeemConnectToken(database.db, token, { mailbox: mailbox('other@example.com') }, now);
    expect(again).toEqual({ ok: false, reason: 'already_used' });

    const account = await findAccount(database.db, developerId, used.accountId);
    expect(account).toMatchObject({ firstName: 'Jane', lastName: 'Doe', emailAddresses: ['jane@example.com'] });
    expect(account?.sources).toHaveLength(1);
    expect(account?.sources[0]).toMatchObject({
      syncFlags: true,
      callbackUrl: 'https://h.example.com/cb',
      status: 'OK',
    });
    const stored = await database.db.source.findUniqueOrThrow({ where: { id: used.sourceId } });
    expect(stored.credentialCiphertext).not.toContain('hunter2');
    expect(decryptSecret(stored.credentialCiphertext)).toBe('hunter2');

    const json = serializeConnectToken((await findConnectToken(database.db, developerId, top, token, now))!, BASE);
    expect(json.used).toBe(now.getTime() / 1000);
    expect(json.expires).toBe(false);
    expect(json.server_label).toBe(used.sourceLabel);
    expect(json.account).toMatchObject({ id: used.accountId, sources: [{ label: used.sourceLabel }] });
    expect(JSON.stringify(json)).not.toContain('hunter2');
    // A used token stays visible past the 24 hours.
    expect(
      await findConnectToken(
        database.db,
        developerId,
        top,
        token,
        new Date(now.getTime() + 2 * CONNECT_TOKEN_LIFETIME_MS),
      ),
    ).not.toBeNull();
  });

  it('many concurrent uses of one token yield exactly one account', async () => {
    const token = await newTopToken();
    const before = await database.db.account.count();
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        redeemConnectToken(database.db, token, { mailbox: mailbox(`race${i}@example.com`) }, now),
      ),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => !result.ok).map((result) => !result.ok && result.reason)).toEqual(
      Array(11).fill('already_used'),
    );
    expect(await database.db.account.count()).toBe(before + 1);
  });

  it('account level: attaches a second mailbox, refuses one already there, lists only its tokens', async () => {
    const first = await redeemConnectToken(
      database.db,
      await newTopToken(),
      { mailbox: mailbox('one@example.com') },
      now,
    );
    if (!first.ok) throw new Error('setup');
    // The scope is an owned row: another developer's lookup finds nothing to scope a token by.
    expect(await findAccount(database.db, otherDeveloperId, first.accountId)).toBeNull();
    const scope = {
      level: 'account',
      account: (await findAccount(database.db, developerId, first.accountId))!,
    } as const;
    const second = await createConnectToken(
      database.db,
      developerId,
      scope,
      { callback_url: 'https://x.example.com' },
      now,
    );
    const duplicate = await createConnectToken(
      database.db,
      developerId,
      scope,
      { callback_url: 'https://x.example.com' },
      now,
    );
    if (!second.ok || !duplicate.ok) throw new Error('setup');

    const listed = await listConnectTokens(database.db, developerId, scope, { limit: 100, offset: 0 }, now);
    expect(listed.map((row) => row.id).sort()).toEqual([second.token, duplicate.token].sort());
    const topList = await listConnectTokens(database.db, developerId, top, { limit: 1000, offset: 0 }, now);
    expect(topList.map((row) => row.id)).not.toContain(second.token);
    // The top-level GET also answers for account-level tokens.
    expect(await findConnectToken(database.db, developerId, top, second.token, now)).not.toBeNull();

    const attached = await redeemConnectToken(
      database.db,
      second.token,
      { mailbox: mailbox('two@gmail.com', { server: 'imap.gmail.com', provider: 'gmail' }) },
      now,
    );
    expect(attached).toMatchObject({ ok: true, accountId: first.accountId, sourceLabel: 'two::gmail' });
    const again = await redeemConnectToken(
      database.db,
      duplicate.token,
      { mailbox: mailbox('two@gmail.com', { server: 'IMAP.gmail.com', provider: 'gmail' }) },
      now,
    );
    expect(again).toEqual({ ok: false, reason: 'mailbox_already_attached' });
    // Nothing changed: the refused token is still unused.
    const refused = await findConnectToken(database.db, developerId, scope, duplicate.token, now);
    expect(refused?.usedAt).toBeNull();
    const account = await findAccount(database.db, developerId, first.accountId);
    expect(account?.emailAddresses).toEqual(['one@example.com', 'two@gmail.com']);
    expect(account?.sources.map((source) => source.label)).toEqual(['one@example.com::imap.example.com', 'two::gmail']);
  });

  it('source level: replaces the credentials and resets the status', async () => {
    const first = await redeemConnectToken(
      database.db,
      await newTopToken(),
      { mailbox: mailbox('re@example.com') },
      now,
    );
    if (!first.ok) throw new Error('setup');
    await database.db.source.update({
      where: { id: first.sourceId },
      data: { status: 'INVALID_CREDENTIALS', statusMessage: 'login failed' },
    });
    const scope = {
      level: 'source',
      source: (await findSource(database.db, developerId, first.accountId, first.sourceLabel))!,
    } as const;
    const created = await createConnectToken(
      database.db,
      developerId,
      scope,
      { callback_url: 'https://x.example.com' },
      now,
    );
    if (!created.ok) throw new Error('setup');
    expect(await findSource(database.db, developerId, first.accountId, 'nope::nowhere')).toBeNull();
    expect(await findSource(database.db, otherDeveloperId, first.accountId, first.sourceLabel)).toBeNull();

    // completeConnection: where every connection ends, the re-connected source goes back to OK (changeSourceStatus).
    const used = await completeConnection(
      database.db,
      created.token,
      { mailbox: mailbox('re@example.com', { secret: 'new-password' }) },
      { startSync: async () => {} },
      now,
    );
    expect(used).toMatchObject({ ok: true, accountId: first.accountId, sourceId: first.sourceId, isReconnect: true });
    const source = await database.db.source.findUniqueOrThrow({ where: { id: first.sourceId } });
    expect(source).toMatchObject({ status: 'OK', statusMessage: '', statusChangedAt: now });
    const changes = await database.db.sourceStatusChange.findMany({ where: { sourceId: first.sourceId } });
    expect(changes.map((row) => [row.previousStatus, row.status])).toEqual([['INVALID_CREDENTIALS', 'OK']]);
    expect(decryptSecret(source.credentialCiphertext)).toBe('new-password');
    const json = serializeConnectToken(
      (await findConnectToken(database.db, developerId, scope, created.token, now))!,
      BASE,
    );
    expect(json.resource_url).toBe(
      `${BASE}/2.0/accounts/${first.accountId}/sources/${encodeURIComponent(first.sourceLabel)}/connect_tokens/${created.token}`,
    );
  });

  it('deletes a used token without deleting its account, and purges only expired unused tokens', async () => {
    const usedToken = await newTopToken();
    const used = await redeemConnectToken(database.db, usedToken, { mailbox: mailbox('keep@example.com') }, now);
    if (!used.ok) throw new Error('setup');
    expect(await deleteConnectToken(database.db, otherDeveloperId, top, usedToken, now)).toBe(false);
    expect(await deleteConnectToken(database.db, developerId, top, usedToken, now)).toBe(true);
    expect(await findAccount(database.db, developerId, used.accountId)).not.toBeNull();

    const stale = await newTopToken();
    const later = new Date(now.getTime() + CONNECT_TOKEN_LIFETIME_MS);
    const fresh = await createConnectToken(
      database.db,
      developerId,
      top,
      { callback_url: 'https://x.example.com' },
      later,
    );
    if (!fresh.ok) throw new Error('setup');
    // Expired tokens stay (for the dashboard's "expired" list) for the retention period, then go.
    expect(await purgeExpiredConnectTokens(database.db, later)).toBe(0);
    expect(await database.db.connectToken.findUnique({ where: { id: stale } })).not.toBeNull();
    const purged = await purgeExpiredConnectTokens(database.db, new Date(later.getTime() + EXPIRED_TOKEN_RETENTION_MS));
    expect(purged).toBeGreaterThan(0);
    expect(await database.db.connectToken.findUnique({ where: { id: stale } })).toBeNull();
    expect(await database.db.account.count({ where: { id: used.accountId } })).toBe(1);
  });

  it("refuses callback URLs outside the developer's allowed prefixes, naming the field", async () => {
    const { developerId: strict } = await createDeveloperKey(database.db, {
      email: 'strict@example.com',
      appName: 'S',
    });
    await database.db.developer.update({
      where: { id: strict },
      data: { callbackUrlPrefixes: ['https://app.example.com', 'myapp://'] },
    });
    const create = (input: Record<string, string>) =>
      createConnectToken(database.db, strict, top, { callback_url: 'https://app.example.com/done', ...input }, now);
    expect((await create({})).ok).toBe(true);
    expect((await create({ callback_url: 'myapp://connected' })).ok).toBe(true);
    expect((await create({ callback_url: 'https://APP.example.com?x=1' })).ok).toBe(true);
    expect(await create({ callback_url: 'https://app.example.com.evil.net/done' })).toEqual({
      ok: false,
      reason: 'callback_url_not_allowed',
      field: 'callback_url',
      prefixes: ['https://app.example.com', 'myapp://'],
    });
    expect(await create({ status_callback_url: 'https://hooks.other.net/status' })).toMatchObject({
      ok: false,
      field: 'status_callback_url',
    });
    // No prefixes: anything the schema accepts.
    expect((await newTopToken({ callback_url: 'https://anywhere.example.net/x' })) as string).toMatch(/^[0-9a-z]{16}$/);
  });

  /** DNS for the private-callback tests: one name on an intranet, one on the internet; others from the system. */
  const partnerDns: ResolveHost = async (host) => {
    if (host === 'hooks.intranet.test') return [{ address: '10.20.30.40', family: 4 }];
    if (host === 'hooks.partner.test') return [{ address: '93.184.215.14', family: 4 }];
    const { lookup } = await import('node:dns/promises');
    return lookup(host, { all: true });
  };
  const PRIVATE_CALLBACKS: [string, string][] = [
    ['http://127.0.0.1:8080/cb', '127.0.0.1'],
    ['https://10.1.2.3/cb', '10.1.2.3'],
    ['http://[::1]:3000/cb', '[::1]'],
    ['https://localhost/cb', 'localhost'],
    ['http://169.254.169.254/latest/meta-data', '169.254.169.254'],
    ['https://hooks.intranet.test/cb', 'hooks.intranet.test'],
  ];

  it('refuses private or local source/status callback URLs at creation, at every level, creating nothing', async () => {
    const { developerId: owner } = await createDeveloperKey(database.db, { email: 'ssrf@example.com', appName: 'P' });
    const guard = { allowPrivateHosts: false, resolve: partnerDns };
    const seed = await createConnectToken(database.db, owner, top, { callback_url: 'https://app.example.com' }, now);
    if (!seed.ok) throw new Error('setup');
    const used = await redeemConnectToken(database.db, seed.token, { mailbox: mailbox('p@example.com') }, now);
    if (!used.ok) throw new Error('setup');
    const scopes: ConnectTokenScope[] = [
      top,
      { level: 'account', account: (await findAccount(database.db, owner, used.accountId))! },
      { level: 'source', source: (await findSource(database.db, owner, used.accountId, used.sourceLabel))! },
    ];
    const tokensBefore = await database.db.connectToken.count({ where: { developerId: owner } });

    for (const scope of scopes) {
      for (const field of ['source_callback_url', 'status_callback_url']) {
        for (const [url, host] of PRIVATE_CALLBACKS) {
          const input = { callback_url: 'https://app.example.com/done', [field]: url };
          expect(
            await createConnectToken(database.db, owner, scope, input, now, guard),
            `${scope.level} ${url}`,
          ).toEqual({ ok: false, reason: 'callback_url_private', field, host });
        }
      }
    }
    expect(await database.db.connectToken.count({ where: { developerId: owner } })).toBe(tokensBefore);

    const create = (input: Record<string, string>, allowPrivateHosts = false) =>
      createConnectToken(database.db, owner, top, { callback_url: 'https://app.example.com/done', ...input }, now, {
        allowPrivateHosts,
        resolve: partnerDns,
      });
    expect((await create({ source_callback_url: 'https://hooks.partner.test/cb' })).ok).toBe(true);
    // Not in DNS (yet): accepted; every delivery attempt resolves and checks it again.
    expect((await create({ status_callback_url: 'https://no-such-host.invalid/cb' })).ok).toBe(true);
    // callback_url is where the end user's browser goes; our server never fetches it.
    expect((await create({ callback_url: 'http://localhost:3000/done' })).ok).toBe(true);
    // Self-hosted installs and tests that allow private hosts.
    expect((await create({ source_callback_url: 'http://127.0.0.1:8080/cb' }, true)).ok).toBe(true);
  });

  it('refuses a private status_callback_url on source update, changing nothing', async () => {
    const { developerId: owner } = await createDeveloperKey(database.db, { email: 'ssrf2@example.com', appName: 'P' });
    const seed = await createConnectToken(
      database.db,
      owner,
      top,
      { callback_url: 'https://app.example.com', status_callback_url: 'https://hooks.partner.test/status' },
      now,
      { allowPrivateHosts: false, resolve: partnerDns },
    );
    if (!seed.ok) throw new Error('setup');
    const used = await redeemConnectToken(database.db, seed.token, { mailbox: mailbox('q@example.com') }, now);
    if (!used.ok) throw new Error('setup');
    const ownedSource = (await findSource(database.db, owner, used.accountId, used.sourceLabel))!;
    const deps = (allowPrivateHosts: boolean) => ({
      queue: {} as JobQueue, // not reached: no status change is asked for
      verify: async () => ({ ok: true }) as const,
      callbackHosts: { allowPrivateHosts, resolve: partnerDns },
      now,
    });
    const update = (url: string, allowPrivateHosts = false) =>
      updateSource(database.db, ownedSource, { status_callback_url: url }, deps(allowPrivateHosts));
    const statusUrl = async () =>
      (await database.db.source.findUniqueOrThrow({ where: { id: used.sourceId } })).statusCallbackUrl;

    for (const [url, host] of PRIVATE_CALLBACKS) {
      expect(await update(url), url).toEqual({
        ok: false,
        reason: 'callback_url_private',
        field: 'status_callback_url',
        host,
      });
    }
    expect(await statusUrl()).toBe('https://hooks.partner.test/status');
    expect(await update('https://hooks.partner.test/v2')).toEqual({ ok: true });
    expect(await statusUrl()).toBe('https://hooks.partner.test/v2');
    expect(await update('http://127.0.0.1:9/status', true)).toEqual({ ok: true });
  });

  it('lists every level for the dashboard with status, email search and paging, and deletes only unused', async () => {
    const { developerId: owner } = await createDeveloperKey(database.db, { email: 'dash@example.com', appName: 'D' });
    const make = async (email: string, at: Date) => {
      const created = await createConnectToken(
        database.db,
        owner,
        top,
        { callback_url: 'https://x.example.com', email },
        at,
      );
      if (!created.ok) throw new Error('setup');
      return created.token;
    };
    const old = await make('old@example.com', new Date(now.getTime() - CONNECT_TOKEN_LIFETIME_MS - 1000));
    const unused = await make('jane@example.com', now);
    const used = await make('', now);
    await redeemConnectToken(database.db, used, { mailbox: mailbox('joe@example.com') }, now);
    const page = { offset: 0, limit: 10 };
    const statuses = async (status?: 'unused' | 'used' | 'expired', email?: string) =>
      (await listConnectTokensForDashboard(database.db, owner, { status, email }, page, now)).rows.map((row) => row.id);
    const all = await statuses();
    // Newest first: the two made now, then the old one.
    expect(all.slice(0, 2).sort()).toEqual([used, unused].sort());
    expect(all[2]).toBe(old);
    expect(await statuses('unused')).toEqual([unused]);
    expect(await statuses('used')).toEqual([used]);
    expect(await statuses('expired')).toEqual([old]);
    expect(await statuses(undefined, 'JANE@')).toEqual([unused]);
    const firstPage = await listConnectTokensForDashboard(database.db, owner, {}, { offset: 0, limit: 2 }, now);
    expect(firstPage.total).toBe(3);
    expect(firstPage.rows).toHaveLength(2);
    // Another developer sees none of them.
    expect(
      (await listConnectTokensForDashboard(database.db, developerId, { email: 'jane@' }, page, now)).rows.map(
        (r) => r.id,
      ),
    ).not.toContain(unused);

    expect(await findConnectTokenProgress(database.db, owner, old)).toMatchObject({ id: old, usedAt: null });
    expect(await findConnectTokenProgress(database.db, otherDeveloperId, old)).toBeNull();
    expect(await deleteUnusedConnectToken(database.db, owner, used, now)).toEqual({ ok: false, reason: 'not_unused' });
    expect(await deleteUnusedConnectToken(database.db, owner, old, now)).toEqual({ ok: false, reason: 'not_unused' });
    expect(await deleteUnusedConnectToken(database.db, otherDeveloperId, unused, now)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await deleteUnusedConnectToken(database.db, owner, unused, now)).toEqual({ ok: true });
    expect(await statuses('unused')).toEqual([]);
  });
});
