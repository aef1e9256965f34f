import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { hashPassword, verifyPassword } from '@/lib/crypto/passwords';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { RATE_LIMITS } from '@/lib/rate-limits/schema';
import { createPasswordReset, resetPassword, signInDeveloper, signUpDeveloper } from './mutations';

/**
 * The dashboard's guessing limits under concurrency: bursts of sign-ins in
 * flight at once, with real argon2. The password functions are wrapped (not
 * replaced) so the tests can count how many guesses argon2 really checked.
 * New hashes here use argon2's smallest cost (what is counted is the calls, not
 * their price; the production cost made this file ~7 s of CPU); verify reads the
 * cost from each hash, so every check still runs argon2 on what was stored.
 */
vi.mock('@/lib/crypto/passwords', async (importOriginal) => {
  const real = await importOriginal<typeof import('@/lib/crypto/passwords')>();
  const { hash } = await import('@node-rs/argon2');
  const cheapHash = (password: string) => hash(password, { memoryCost: 1024, timeCost: 1 });
  return { ...real, hashPassword: vi.fn(cheapHash), verifyPassword: vi.fn(real.verifyPassword) };
});
const verified = vi.mocked(verifyPassword);
const hashed = vi.mocked(hashPassword);

const ACCOUNT = RATE_LIMITS.signInAccount; // 10 wrong per email per 15 minutes
const ADDRESS = RATE_LIMITS.signInAddress; // 100 wrong per address per 15 minutes
const SIGN_UP = RATE_LIMITS.signUpAddress; // 100 sign-ups per address per hour

describe.each(testDatabaseKinds())('dashboard guessing limits on %s', (kind) => {
  let database: TestDatabase;
  const now = new Date('2026-11-26T09:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });
  beforeEach(() => {
    verified.mockClear();
    hashed.mockClear();
  });

  async function developerWithPassword(email: string, password: string) {
    const created = await createDeveloperKey(database.db, { email, appName: 'Limits' });
    const link = await createPasswordReset(database.db, email, now);
    if (!link.ok) throw new Error('setup');
    await resetPassword(database.db, link.token, password, now);
    return created.developerId;
  }

  it('lets exactly 10 of 3 bursts of 40 concurrent wrong passwords reach argon2, then refuses the right one', async () => {
    const developerId = await developerWithPassword('target@example.com', 'the right password');
    verified.mockClear();
    const results = [];
    for (let burst = 0; burst < 3; burst++) {
      results.push(
        ...(await Promise.all(
          Array.from({ length: 40 }, (_, i) =>
            signInDeveloper(
              database.db,
              { email: 'target@example.com', password: `guess ${burst}-${i}` },
              // Spread over many addresses, as a botnet would: only the account's limit applies.
              `203.0.113.${i}`,
              now,
            ),
          ),
        )),
      );
    }
    expect(verified).toHaveBeenCalledTimes(ACCOUNT.max);
    expect(results.filter((result) => !result.ok && result.reason === 'invalid')).toHaveLength(ACCOUNT.max);
    expect(results.filter((result) => !result.ok && result.reason === 'rate_limited')).toHaveLength(120 - ACCOUNT.max);

    const right = { email: 'target@example.com', password: 'the right password' };
    expect(await signInDeveloper(database.db, right, '198.51.100.1', at(ACCOUNT.windowMs - 1000))).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAt: at(ACCOUNT.windowMs),
    });
    expect(verified).toHaveBeenCalledTimes(ACCOUNT.max);
    expect(await signInDeveloper(database.db, right, '198.51.100.1', at(ACCOUNT.windowMs))).toEqual({
      ok: true,
      developerId,
    });
  });

  it('a right password neither uses up nor clears the wrong-password count', async () => {
    await developerWithPassword('owner@example.com', 'owner password 1');
    const attempt = (password: string) =>
      signInDeveloper(database.db, { email: 'owner@example.com', password }, '198.51.100.2', now);
    for (let i = 1; i < ACCOUNT.max; i++) expect(await attempt(`wrong ${i}`)).toEqual({ ok: false, reason: 'invalid' });
    // Many right sign-ins at once, while nine wrong ones count: each gives its place back.
    const rights = await Promise.all(Array.from({ length: 5 }, () => attempt('owner password 1')));
    expect(rights.filter((result) => result.ok).length).toBeGreaterThanOrEqual(1);
    expect(await attempt('owner password 1')).toMatchObject({ ok: true });
    // The earlier wrong ones still count: one more guess, then the pause.
    expect(await attempt('wrong 10')).toEqual({ ok: false, reason: 'invalid' });
    expect(await attempt('owner password 1')).toMatchObject({ ok: false, reason: 'rate_limited' });
  });

  it('an operator reset link starts the count over', async () => {
    await developerWithPassword('locked@example.com', 'old password 12');
    await Promise.all(
      Array.from({ length: ACCOUNT.max + 5 }, (_, i) =>
        signInDeveloper(database.db, { email: 'locked@example.com', password: `no ${i}` }, '198.51.100.3', now),
      ),
    );
    const fresh = { email: 'locked@example.com', password: 'new password 12' };
    const link = await createPasswordReset(database.db, 'locked@example.com', now);
    if (!link.ok) throw new Error('setup');
    expect(await resetPassword(database.db, link.token, fresh.password, now)).toMatchObject({ ok: true });
    expect(await signInDeveloper(database.db, fresh, '198.51.100.3', now)).toMatchObject({ ok: true });
  });

  it('limits wrong passwords per client address across emails (spraying), not other addresses', async () => {
    const developerId = await developerWithPassword('sprayed@example.com', 'sprayed password');
    verified.mockClear();
    // 105 guesses at once from one address, 5 per email (under each account's limit), at emails that
    // mostly do not exist: those cost the same argon2 work and count the same.
    const results = await Promise.all(
      Array.from({ length: ADDRESS.max + 5 }, (_, i) =>
        signInDeveloper(
          database.db,
          { email: `spray-${i % 21}@example.com`, password: `spray ${i}` },
          '2001:db8:aa:bb::1',
          now,
        ),
      ),
    );
    expect(verified).toHaveBeenCalledTimes(ADDRESS.max);
    const limited = results.filter((result) => !result.ok && result.reason === 'address_rate_limited');
    expect(limited).toHaveLength(5);
    expect(limited[0]).toMatchObject({ retryAt: at(ADDRESS.windowMs) });

    const right = { email: 'sprayed@example.com', password: 'sprayed password' };
    // Same /64, another interface identifier: the same bucket.
    expect(await signInDeveloper(database.db, right, '2001:db8:aa:bb:1234::9', now)).toMatchObject({
      ok: false,
      reason: 'address_rate_limited',
    });
    expect(await signInDeveloper(database.db, right, '2001:db8:aa:cc::1', now)).toEqual({ ok: true, developerId });
  });

  it('limits sign-ups per client address before hashing, whatever their outcome', async () => {
    const results = await Promise.all(
      Array.from({ length: SIGN_UP.max + 5 }, (_, i) =>
        signUpDeveloper(
          database.db,
          // Every fifth one is a taken email: refused, but its hash was paid for all the same.
          { email: `signup-${i % 5 === 0 ? 'taken' : i}@example.com`, appName: 'Spam', password: 'sign-up password' },
          '192.0.2.50',
          now,
        ),
      ),
    );
    expect(hashed).toHaveBeenCalledTimes(SIGN_UP.max);
    const limited = results.filter((result) => !result.ok && result.reason === 'rate_limited');
    expect(limited).toHaveLength(5);
    expect(limited[0]).toMatchObject({ retryAt: at(SIGN_UP.windowMs) });
    expect(results.filter((result) => result.ok).length + limited.length).toBeLessThan(results.length);
    expect(await database.db.developer.count({ where: { email: { startsWith: 'signup-' } } })).toBe(
      results.filter((result) => result.ok).length,
    );

    const another = { email: 'elsewhere@example.com', appName: 'Real', password: 'sign-up password' };
    expect(await signUpDeveloper(database.db, another, '192.0.2.50', at(SIGN_UP.windowMs - 1000))).toMatchObject({
      ok: false,
      reason: 'rate_limited',
    });
    expect(await signUpDeveloper(database.db, another, '192.0.2.51', now)).toMatchObject({ ok: true });
    expect(
      await signUpDeveloper(
        database.db,
        { ...another, email: 'later@example.com' },
        '192.0.2.50',
        at(SIGN_UP.windowMs),
      ),
    ).toMatchObject({ ok: true });
  });
});
