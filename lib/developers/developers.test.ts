import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { apiKeyRateLimit, type RateLimit } from '@/lib/rate-limits/schema';
import { CREDENTIALS_CACHE_TTL_MS, findConsumerCredentials, forgetCachedCredentials, listApiKeys } from './data';
import {
  createApiKey,
  createDeveloperKey,
  ensureFirstDeveloper,
  NONCE_RETENTION_MS,
  purgeOldNonces,
  recordSignedRequest,
  revokeApiKey,
  rotateApiKey,
} from './mutations';
import { findDisallowedCallbackUrl, isAllowedByPrefix, updateDeveloperSettingsInput } from './schema';

describe.each(testDatabaseKinds())('developers and keys on %s', (kind) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('creates the first developer once, then never again', async () => {
    const first = await ensureFirstDeveloper(database.db);
    expect(first?.key).toMatch(/^[0-9a-z]{20}$/);
    expect(first?.email).toBe('admin@localhost');
    const row = await database.db.developer.findUniqueOrThrow({ where: { email: 'admin@localhost' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(first?.password);
    expect(await ensureFirstDeveloper(database.db)).toBeNull();
  });

  it('keeps the secret encrypted at rest and gives it back only for signature checks', async () => {
    const created = await createDeveloperKey(database.db, { email: 'dev@example.com', appName: 'Acme CRM' });
    const row = await database.db.apiKey.findUniqueOrThrow({ where: { consumerKey: created.key } });
    expect(row.secretCiphertext).not.toContain(created.secret);
    expect(row.secretCiphertext).toMatch(/^v1\./);
    expect(await findConsumerCredentials(database.db, created.key)).toEqual({
      developerId: created.developerId,
      consumerKey: created.key,
      consumerSecret: created.secret,
    });
  });

  it('adds a key to an existing developer without renaming the app', async () => {
    const one = await createDeveloperKey(database.db, { email: 'two@example.com', appName: 'First Name' });
    const two = await createDeveloperKey(database.db, { email: 'two@example.com', appName: 'Other Name' });
    expect(two.developerId).toBe(one.developerId);
    expect(two.key).not.toBe(one.key);
    const developer = await database.db.developer.findUniqueOrThrow({ where: { id: one.developerId } });
    expect(developer.appName).toBe('First Name');
  });

  it('creates one developer when keys for a new email are asked for at once', async () => {
    const keys = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) =>
        createDeveloperKey(database.db, { email: 'burst@example.com', appName: `Burst ${i}` }),
      ),
    );
    expect(keys.filter((key) => key.status === 'rejected').map((key) => String(key.reason))).toEqual([]);
    expect(await database.db.developer.count({ where: { email: 'burst@example.com' } })).toBe(1);
    const developer = await database.db.developer.findUniqueOrThrow({ where: { email: 'burst@example.com' } });
    expect(await database.db.apiKey.count({ where: { developerId: developer.id } })).toBe(16);
  });

  it('refuses a revoked key', async () => {
    const created = await createDeveloperKey(database.db, { email: 'revoked@example.com', appName: 'Gone' });
    await database.db.apiKey.update({ where: { consumerKey: created.key }, data: { revokedAt: new Date() } });
    expect(await findConsumerCredentials(database.db, created.key)).toBeNull();
    expect(await findConsumerCredentials(database.db, 'no-such-key')).toBeNull();
  });

  it('honours a revocation made elsewhere once the short cache expires, or at once when told', async () => {
    const created = await createDeveloperKey(database.db, { email: 'cached@example.com', appName: 'Cached' });
    const now = Date.now();
    expect(await findConsumerCredentials(database.db, created.key, now)).not.toBeNull();
    await database.db.apiKey.update({ where: { consumerKey: created.key }, data: { revokedAt: new Date() } });
    expect(await findConsumerCredentials(database.db, created.key, now + 1000)).not.toBeNull();
    expect(await findConsumerCredentials(database.db, created.key, now + CREDENTIALS_CACHE_TTL_MS + 1)).toBeNull();

    const other = await createDeveloperKey(database.db, { email: 'cached2@example.com', appName: 'Cached' });
    expect(await findConsumerCredentials(database.db, other.key, now)).not.toBeNull();
    await database.db.apiKey.update({ where: { consumerKey: other.key }, data: { revokedAt: new Date() } });
    forgetCachedCredentials(other.key);
    expect(await findConsumerCredentials(database.db, other.key, now)).toBeNull();
  });

  it('accepts a nonce once per key, also under concurrent replays, and purges old ones', async () => {
    const now = new Date();
    const record = (key: string, at: Date, limit: RateLimit | null = null) =>
      recordSignedRequest(database.db, { consumerKey: key, nonce: 'n1', now: at }, limit);
    const attempts = await Promise.all(Array.from({ length: 10 }, () => record('key-a', now)));
    expect(attempts.filter((attempt) => attempt.kind === 'accepted')).toHaveLength(1);
    expect(await record('key-b', now)).toEqual({ kind: 'accepted' });
    // The same with a limit: a replay is still refused, and counts nothing.
    const limited = await Promise.all(Array.from({ length: 10 }, () => record('key-c', now, apiKeyRateLimit(5))));
    expect(limited.filter((attempt) => attempt.kind === 'accepted')).toHaveLength(1);
    expect((await database.db.rateLimitCounter.findMany()).map((row) => row.count)).toEqual([1]);

    const later = new Date(now.getTime() + NONCE_RETENTION_MS + 1000);
    expect(await purgeOldNonces(database.db, later)).toBe(3);
    expect(await record('key-a', later)).toEqual({ kind: 'accepted' });
  });

  it('lets exactly the per-minute limit of 80 concurrent requests on one key through, then until the window ends', async () => {
    const now = new Date('2026-12-01T10:00:00Z');
    const limit = apiKeyRateLimit(25);
    const request = (nonce: string, at = now) =>
      recordSignedRequest(database.db, { consumerKey: 'key-burst', nonce, now: at }, limit);
    const burst = await Promise.all(Array.from({ length: 80 }, (_, i) => request(`burst-${i}`)));
    expect(burst.filter((result) => result.kind === 'accepted')).toHaveLength(25);
    const refused = burst.filter((result) => result.kind === 'limited');
    expect(refused).toHaveLength(55);
    expect(refused[0]).toEqual({ kind: 'limited', retryAt: new Date(now.getTime() + 60_000) });
    // Another key has its own count; the window's end starts a new one.
    expect(await recordSignedRequest(database.db, { consumerKey: 'key-other', nonce: 'o', now }, limit)).toEqual({
      kind: 'accepted',
    });
    expect((await request('late', new Date(now.getTime() + 59_999))).kind).toBe('limited');
    expect((await request('next', new Date(now.getTime() + 60_000))).kind).toBe('accepted');
  });

  it("revokes and rotates only the developer's own active keys, at once in this process", async () => {
    const owner = await createDeveloperKey(database.db, { email: 'rotate@example.com', appName: 'R' });
    const stranger = await createDeveloperKey(database.db, { email: 'stranger@example.com', appName: 'S' });
    const now = new Date();
    expect(await findConsumerCredentials(database.db, owner.key)).not.toBeNull();
    expect(await rotateApiKey(database.db, stranger.developerId, owner.key, now)).toEqual({
      ok: false,
      reason: 'not_found',
    });

    const rotated = await rotateApiKey(database.db, owner.developerId, owner.key, now);
    if (!rotated.ok) throw new Error('expected a rotation');
    expect(rotated.credentials.key).not.toBe(owner.key);
    // The cached secret is dropped: the old key stops at once, the new one works.
    expect(await findConsumerCredentials(database.db, owner.key)).toBeNull();
    expect(await findConsumerCredentials(database.db, rotated.credentials.key)).toMatchObject({
      consumerSecret: rotated.credentials.secret,
    });
    expect(await rotateApiKey(database.db, owner.developerId, owner.key, now)).toEqual({
      ok: false,
      reason: 'already_revoked',
    });

    const extra = await createApiKey(database.db, owner.developerId);
    expect(await revokeApiKey(database.db, stranger.developerId, extra.key, now)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await revokeApiKey(database.db, owner.developerId, extra.key, now)).toEqual({ ok: true });
    expect(await revokeApiKey(database.db, owner.developerId, extra.key, now)).toEqual({
      ok: false,
      reason: 'already_revoked',
    });
    const listed = await listApiKeys(database.db, owner.developerId, { offset: 0, limit: 10 });
    expect(listed).toMatchObject({ total: 3, active: 1 });
    expect(listed.keys.map((key) => key.consumerKey)).toContain(rotated.credentials.key);
    expect(JSON.stringify(listed)).not.toContain(rotated.credentials.secret);
  });
});

describe('callback URL prefixes', () => {
  it('match on boundaries, scheme and host case-insensitively', () => {
    expect(isAllowedByPrefix('https://app.example.com/done', 'https://app.example.com')).toBe(true);
    expect(isAllowedByPrefix('https://APP.Example.com?x=1', 'https://app.example.com')).toBe(true);
    expect(isAllowedByPrefix('https://app.example.com', 'https://app.example.com')).toBe(true);
    expect(isAllowedByPrefix('https://app.example.com.evil.net/', 'https://app.example.com')).toBe(false);
    expect(isAllowedByPrefix('https://app.example.com:8443/', 'https://app.example.com')).toBe(false);
    expect(isAllowedByPrefix('https://app.example.com/callbacks/x', 'https://app.example.com/callbacks/')).toBe(true);
    expect(isAllowedByPrefix('https://app.example.com/callbacksevil', 'https://app.example.com/callbacks')).toBe(false);
    expect(isAllowedByPrefix('https://app.example.com/Done', 'https://app.example.com/done')).toBe(false);
    expect(isAllowedByPrefix('myapp://connected', 'myapp://')).toBe(true);
    expect(isAllowedByPrefix('otherapp://connected', 'myapp://')).toBe(false);
  });

  it('name the first disallowed field, and allow everything when none are set', () => {
    const urls = { callback_url: 'https://a.example.com/x', status_callback_url: 'https://b.example.com/y' };
    expect(findDisallowedCallbackUrl([], urls)).toBeNull();
    expect(findDisallowedCallbackUrl(['https://a.example.com'], urls)).toBe('status_callback_url');
    expect(findDisallowedCallbackUrl(['https://a.example.com', 'https://b.example.com'], urls)).toBeNull();
    expect(
      findDisallowedCallbackUrl(['https://a.example.com'], { callback_url: 'https://a.example.com', x: undefined }),
    ).toBeNull();
  });

  it('parse one prefix per line, refusing queries, script schemes and too many', () => {
    expect(
      updateDeveloperSettingsInput.parse({
        appName: ' App ',
        callbackUrlPrefixes: 'https://a.example.com\r\n\n myapp:// \nhttps://a.example.com',
      }),
    ).toEqual({ appName: 'App', callbackUrlPrefixes: ['https://a.example.com', 'myapp://'] });
    for (const bad of ['not a url', 'https://a.example.com/?x=1', 'javascript:alert(1)']) {
      expect(updateDeveloperSettingsInput.safeParse({ appName: 'A', callbackUrlPrefixes: bad }).success, bad).toBe(
        false,
      );
    }
    const many = Array.from({ length: 21 }, (_, i) => `https://h${i}.example.com`).join('\n');
    expect(
      updateDeveloperSettingsInput.safeParse({ appName: 'A', callbackUrlPrefixes: many }).error?.issues[0]?.message,
    ).toBe('Use at most 20 prefixes.');
  });
});
