import { decryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';

export interface ConsumerCredentials {
  developerId: string;
  consumerKey: string;
  consumerSecret: string;
}

/**
 * Every API request needs its key's secret; reading and decrypting it each time
 * costs about a millisecond. Keep it briefly: a revoked key stops working in this
 * process at once (revokeCachedCredentials) and on other instances within the TTL.
 */
export const CREDENTIALS_CACHE_TTL_MS = 30_000;
const CREDENTIALS_CACHE_MAX = 1000;

const globalForCache = globalThis as unknown as {
  __mailportCredentials?: Map<string, { value: ConsumerCredentials | null; expiresAt: number }>;
};
globalForCache.__mailportCredentials ??= new Map();
const cache = globalForCache.__mailportCredentials;

export function forgetCachedCredentials(consumerKey?: string): void {
  if (consumerKey === undefined) cache.clear();
  else cache.delete(consumerKey);
}

/** The active key's secret, decrypted for OAuth signature checks only; null for unknown or revoked keys. */
export async function findConsumerCredentials(
  db: Db,
  consumerKey: string,
  now = Date.now(),
): Promise<ConsumerCredentials | null> {
  const cached = cache.get(consumerKey);
  if (cached && cached.expiresAt > now) return cached.value;
  const row = await db.apiKey.findUnique({
    where: { consumerKey },
    select: { developerId: true, secretCiphertext: true, revokedAt: true },
  });
  const value =
    !row || row.revokedAt
      ? null
      : { developerId: row.developerId, consumerKey, consumerSecret: decryptSecret(row.secretCiphertext) };
  // Unknown keys are not cached: a key created a moment ago on another instance must work at once.
  if (value) {
    if (cache.size >= CREDENTIALS_CACHE_MAX) cache.delete(cache.keys().next().value ?? '');
    cache.set(consumerKey, { value, expiresAt: now + CREDENTIALS_CACHE_TTL_MS });
  } else {
    cache.delete(consumerKey);
  }
  return value;
}

/**
 * The secret callbacks to this developer are signed with (spec §12): their
 * oldest active key, so the signature stays verifiable while newer keys come and go.
 */
export async function findCallbackSigningSecret(
  db: Db | Prisma.TransactionClient,
  developerId: string,
): Promise<string | null> {
  const row = await db.apiKey.findFirst({
    where: { developerId, revokedAt: null },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { secretCiphertext: true },
  });
  return row ? decryptSecret(row.secretCiphertext) : null;
}

/** What the dashboard's settings page shows and the domain checks callback URLs against. */
export async function findDeveloperSettings(db: Db, developerId: string) {
  return db.developer.findUnique({
    where: { id: developerId },
    select: { id: true, email: true, appName: true, callbackUrlPrefixes: true },
  });
}

export interface ApiKeyListItem {
  consumerKey: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** A page of the developer's keys, newest first; never a secret. */
export async function listApiKeys(
  db: Db,
  developerId: string,
  page: { offset: number; limit: number },
): Promise<{ keys: ApiKeyListItem[]; total: number; active: number }> {
  const [keys, total, active] = await Promise.all([
    db.apiKey.findMany({
      where: { developerId },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: page.offset,
      take: page.limit,
      select: { consumerKey: true, createdAt: true, revokedAt: true },
    }),
    db.apiKey.count({ where: { developerId } }),
    db.apiKey.count({ where: { developerId, revokedAt: null } }),
  ]);
  return { keys, total, active };
}
