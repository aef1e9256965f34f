import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { CREDENTIALS_CACHE_TTL_MS, findConsumerCredentials, forgetCachedCredentials } from './data';
import { createDeveloperKey, ensureFirstDeveloper, NONCE_RETENTION_MS, purgeOldNonces, recordNonce } from './mutations';

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
    const attempts = await Promise.all(Array.from({ length: 10 }, () => recordNonce(database.db, 'key-a', 'n1', now)));
    expect(attempts.filter(Boolean)).toHaveLength(1);
    expect(await recordNonce(database.db, 'key-b', 'n1', now)).toBe(true);

    const later = new Date(now.getTime() + NONCE_RETENTION_MS + 1000);
    expect(await purgeOldNonces(database.db, later)).toBe(2);
    expect(await recordNonce(database.db, 'key-a', 'n1', later)).toBe(true);
  });
});
