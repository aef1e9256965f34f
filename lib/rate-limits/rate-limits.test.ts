import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { claimAttempt, purgeExpiredRateLimits, rateLimitKey, releaseAttempt, resetRateLimit } from './mutations';
import { clientAddressBucket, mailboxSubject, RATE_LIMITS } from './schema';

describe('client address buckets and mailbox subjects', () => {
  it('counts IPv6 per /64, IPv4-mapped IPv6 as IPv4, and anything else as given', () => {
    expect(clientAddressBucket('203.0.113.9')).toBe('203.0.113.9');
    expect(clientAddressBucket(' 2001:DB8:1:2:aaaa:bbbb:cccc:dddd ')).toBe('2001:0db8:0001:0002::/64');
    expect(clientAddressBucket('2001:db8:1:2::1')).toBe('2001:0db8:0001:0002::/64');
    expect(clientAddressBucket('[2001:db8:1:2::ffff]')).toBe('2001:0db8:0001:0002::/64');
    expect(clientAddressBucket('2001:db8:1:3::1')).toBe('2001:0db8:0001:0003::/64');
    expect(clientAddressBucket('::1')).toBe('0000:0000:0000:0000::/64');
    expect(clientAddressBucket('fe80::1%eth0')).toBe('fe80:0000:0000:0000::/64');
    expect(clientAddressBucket('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(clientAddressBucket('::ffff:c633:6404')).toBe('198.51.100.4');
    expect(clientAddressBucket('unknown')).toBe('unknown');
    expect(clientAddressBucket('1::2::3')).toBe('1::2::3');
    expect(clientAddressBucket('1:2:3:4:5:6:7:8:9')).toBe('1:2:3:4:5:6:7:8:9');
  });

  it('names a mailbox by server and username, without port, case, brackets or a trailing dot', () => {
    const subject = mailboxSubject('imap.example.com', 'jane@example.com');
    expect(mailboxSubject(' IMAP.Example.com. ', 'Jane@Example.com ')).toBe(subject);
    expect(mailboxSubject('imap.example.com', 'john@example.com')).not.toBe(subject);
    expect(mailboxSubject('[::1]', 'a')).toBe(mailboxSubject('::1', 'A'));
  });
});

describe.each(testDatabaseKinds())('rate-limit counters on %s', (kind) => {
  let database: TestDatabase;
  const now = new Date('2026-11-26T08:00:00Z');
  const at = (ms: number) => new Date(now.getTime() + ms);
  const tokenLimit = RATE_LIMITS.connectToken; // 5 per 15 minutes
  const addressLimit = RATE_LIMITS.connectAddress; // 30 per hour

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  const countOf = async (limit: typeof tokenLimit | typeof addressLimit, subject: string) =>
    (await database.db.rateLimitCounter.findUnique({ where: { key: rateLimitKey(limit, subject) } }))?.count;

  it('lets exactly the limit through a burst of 60 concurrent claims, then refuses until the window ends', async () => {
    const subjects = [{ limit: tokenLimit, subject: 'burst' }];
    const claims = await Promise.all(Array.from({ length: 60 }, () => claimAttempt(database.db, subjects, now)));
    expect(claims.filter((claim) => claim.ok)).toHaveLength(tokenLimit.max);
    expect(claims.filter((claim) => !claim.ok)).toHaveLength(60 - tokenLimit.max);
    expect(claims.find((claim) => !claim.ok)).toEqual({
      ok: false,
      limit: tokenLimit.name,
      retryAt: at(tokenLimit.windowMs),
    });
    // Refused claims gave their increment back: the count is what was let through.
    expect(await countOf(tokenLimit, 'burst')).toBe(tokenLimit.max);
    expect((await claimAttempt(database.db, subjects, at(tokenLimit.windowMs - 1))).ok).toBe(false);

    const nextWindow = await claimAttempt(database.db, subjects, at(tokenLimit.windowMs));
    expect(nextWindow).toEqual({
      ok: true,
      held: [{ key: rateLimitKey(tokenLimit, 'burst'), resetsAt: at(2 * tokenLimit.windowMs) }],
    });
    expect(await countOf(tokenLimit, 'burst')).toBe(1);
  });

  it('claims several counters all or nothing: a full counter leaves the others untouched', async () => {
    // 40 attempts at once, each on its own token but all from one address: the address admits 30.
    const claims = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        claimAttempt(
          database.db,
          [
            { limit: tokenLimit, subject: `token-${i}` },
            { limit: addressLimit, subject: 'address-a' },
          ],
          now,
        ),
      ),
    );
    expect(claims.filter((claim) => claim.ok)).toHaveLength(addressLimit.max);
    expect(new Set(claims.flatMap((claim) => (claim.ok ? [] : [claim.limit])))).toEqual(new Set([addressLimit.name]));
    expect(await countOf(addressLimit, 'address-a')).toBe(addressLimit.max);
    const tokenCounts = await Promise.all(claims.map((_, i) => countOf(tokenLimit, `token-${i}`)));
    expect(tokenCounts.filter((count) => count === 1)).toHaveLength(addressLimit.max);
    expect(tokenCounts.filter((count) => count === 0)).toHaveLength(40 - addressLimit.max);
  });

  it('gives an attempt back only within the window it was claimed in', async () => {
    const subjects = [{ limit: tokenLimit, subject: 'release' }];
    const first = await claimAttempt(database.db, subjects, now);
    const second = await claimAttempt(database.db, subjects, now);
    if (!first.ok || !second.ok) throw new Error('expected both claims');
    await releaseAttempt(database.db, first.held);
    expect(await countOf(tokenLimit, 'release')).toBe(1);

    // A new window began: giving back the old window's claim must not lower the new count.
    expect((await claimAttempt(database.db, subjects, at(tokenLimit.windowMs))).ok).toBe(true);
    await releaseAttempt(database.db, second.held);
    expect(await countOf(tokenLimit, 'release')).toBe(1);
  });

  it('stores no subject in clear, resets one subject, and purges only ended windows', async () => {
    await claimAttempt(database.db, [{ limit: addressLimit, subject: '203.0.113.77' }], now);
    await claimAttempt(database.db, [{ limit: tokenLimit, subject: 'jane@example.com' }], at(50 * 60 * 1000));
    const keys = (await database.db.rateLimitCounter.findMany({ select: { key: true } })).map((row) => row.key);
    expect(keys.join('\n')).not.toMatch(/203\.0\.113|jane|example|burst|token-|address-a/);
    expect(keys.every((key) => /^[a-z-]+:[\w-]{43}$/.test(key))).toBe(true);

    await resetRateLimit(database.db, addressLimit, '203.0.113.77');
    expect(await countOf(addressLimit, '203.0.113.77')).toBeUndefined();

    // Every other window has ended by +61 min; the one claimed at +50 min runs to +65 min.
    const purged = await purgeExpiredRateLimits(database.db, at(61 * 60 * 1000));
    expect(purged).toBeGreaterThan(0);
    expect(await database.db.rateLimitCounter.count()).toBe(1);
    expect(await countOf(tokenLimit, 'jane@example.com')).toBe(1);
  });
});
