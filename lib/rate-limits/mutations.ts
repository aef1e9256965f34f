import { createHmac } from 'node:crypto';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { getConfig } from '@/lib/env';
import type { RateLimit, RateLimitName, RateLimitSubject } from './schema';

/**
 * The attempt counters behind every guessing limit. An attempt is claimed on
 * all its counters by ONE statement that increments and returns the counts, so
 * concurrent attempts each see a different count and exactly `max` fit in a
 * window (a read-then-write limit lets a burst through). The caller claims
 * before the expensive check and gives the attempt back when it proved harmless.
 */

/** A counter this attempt incremented; the window end guards the give-back against a window that rolled over. */
export interface HeldCounter {
  key: string;
  resetsAt: Date;
}

export type AttemptClaim =
  | { ok: true; held: HeldCounter[] }
  /** `limit` is the first counter (in the order given) that was full; `retryAt` is when it empties. */
  | { ok: false; limit: RateLimitName; retryAt: Date };

/**
 * Keys are `<limit>:<HMAC-SHA256(master key, subject)>`: the table shows which
 * limit a row counts but no email, address or mailbox username, and without
 * the master key the subjects cannot be confirmed by hashing guesses.
 */
export function rateLimitKey(limit: RateLimit, subject: string): string {
  const digest = createHmac('sha256', getConfig().masterKey)
    .update(`rate-limit:${limit.name}:${subject}`)
    .digest('base64url');
  return `${limit.name}:${digest}`;
}

/**
 * Claims one attempt on every given counter, or on none. All counters are
 * incremented in one INSERT … ON CONFLICT (rows in key order, so concurrent
 * claims lock them in the same order and cannot deadlock); if any is over its
 * limit, every increment is given back, so refused attempts leave no trace and
 * the counts stay "attempts let through in this window".
 */
export async function claimAttempt(db: Db, subjects: RateLimitSubject[], now: Date): Promise<AttemptClaim> {
  if (subjects.length === 0) return { ok: true, held: [] };
  const counters = subjects
    .map(({ limit, subject }) => ({
      limit,
      key: rateLimitKey(limit, subject),
      resetsAt: new Date(now.getTime() + limit.windowMs),
    }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  if (new Set(counters.map((counter) => counter.key)).size !== counters.length) {
    throw new Error('claimAttempt: each limit may appear once per attempt');
  }
  const rows = await db.$queryRaw<{ key: string; count: number; resets_at: Date }[]>`
    INSERT INTO rate_limit_counters AS counter (key, count, resets_at)
    VALUES ${Prisma.join(counters.map((counter) => Prisma.sql`(${counter.key}, 1, ${counter.resetsAt})`))}
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN counter.resets_at <= ${now} THEN 1 ELSE counter.count + 1 END,
      resets_at = CASE WHEN counter.resets_at <= ${now} THEN EXCLUDED.resets_at ELSE counter.resets_at END
    RETURNING key, count, resets_at`;
  const byKey = new Map(rows.map((row) => [row.key, row]));
  const held = counters.map((counter) => {
    const row = byKey.get(counter.key);
    if (!row) throw new Error('claimAttempt: a counter row was not returned');
    return { ...counter, count: Number(row.count), resetsAt: new Date(row.resets_at) };
  });
  const full = subjects
    .map(({ limit }) => held.find((counter) => counter.limit === limit))
    .find((counter) => counter !== undefined && counter.count > counter.limit.max);
  const claimed = held.map(({ key, resetsAt }) => ({ key, resetsAt }));
  if (!full) return { ok: true, held: claimed };
  await releaseAttempt(db, claimed);
  return { ok: false, limit: full.limit.name, retryAt: full.resetsAt };
}

/**
 * Gives a claimed attempt back: the right password, or a failure that never
 * reached the checker. One statement per counter, so a give-back holds one row
 * lock at a time and cannot deadlock with a claim.
 */
export async function releaseAttempt(db: Db, held: HeldCounter[]): Promise<void> {
  for (const { key, resetsAt } of held) {
    await db.rateLimitCounter.updateMany({
      where: { key, resetsAt, count: { gt: 0 } },
      data: { count: { decrement: 1 } },
    });
  }
}

/** Forgets a subject's counter (an operator's password reset starts the account's count over). */
export async function resetRateLimit(db: Db, limit: RateLimit, subject: string): Promise<void> {
  await db.rateLimitCounter.deleteMany({ where: { key: rateLimitKey(limit, subject) } });
}

/** Housekeeping: counters whose window has ended count nothing any more. */
export async function purgeExpiredRateLimits(db: Db, now: Date): Promise<number> {
  const { count } = await db.rateLimitCounter.deleteMany({ where: { resetsAt: { lte: now } } });
  return count;
}
