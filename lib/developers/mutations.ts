import { generatePassword, hashPassword } from '@/lib/crypto/passwords';
import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { newConsumerKey, newConsumerSecret, newDeveloperId, newRowId } from '@/lib/ids';
import { rateLimitKey } from '@/lib/rate-limits/mutations';
import type { RateLimit } from '@/lib/rate-limits/schema';
import { forgetCachedCredentials } from './data';
import type { CreateDeveloperKeyInput, DeveloperKeyCredentials, UpdateDeveloperSettingsInput } from './schema';

/** Creates the developer if the email is new (keeping an existing one's app name), then a new API key. */
export async function createDeveloperKey(db: Db, input: CreateDeveloperKeyInput): Promise<DeveloperKeyCredentials> {
  const developer = await db.developer.upsert({
    where: { email: input.email },
    create: { id: newDeveloperId(), email: input.email, appName: input.appName },
    update: {},
    select: { id: true },
  });
  return createApiKey(db, developer.id);
}

/** A new key for an existing developer; the secret is returned here and never again. */
export async function createApiKey(
  db: Pick<Db, 'apiKey'>,
  developerId: string,
  now = new Date(),
): Promise<DeveloperKeyCredentials> {
  const key = newConsumerKey();
  const secret = newConsumerSecret();
  await db.apiKey.create({
    data: { id: newRowId(), developerId, consumerKey: key, secretCiphertext: encryptSecret(secret), createdAt: now },
  });
  return { developerId, key, secret };
}

export type RevokeApiKeyResult = { ok: true } | { ok: false; reason: 'not_found' | 'already_revoked' };

/** Stops a key at once in this process; other instances drop it within the credentials cache TTL. */
export async function revokeApiKey(
  db: Db,
  developerId: string,
  consumerKey: string,
  now: Date,
): Promise<RevokeApiKeyResult> {
  const { count } = await db.apiKey.updateMany({
    where: { consumerKey, developerId, revokedAt: null },
    data: { revokedAt: now },
  });
  forgetCachedCredentials(consumerKey);
  if (count === 1) return { ok: true };
  const exists = await db.apiKey.count({ where: { consumerKey, developerId } });
  return { ok: false, reason: exists ? 'already_revoked' : 'not_found' };
}

export type RotateApiKeyResult =
  | { ok: true; credentials: DeveloperKeyCredentials }
  | { ok: false; reason: 'not_found' | 'already_revoked' };

/**
 * Replaces a key with a new one in one transaction: the old key is revoked and
 * the new secret returned once. (For a zero-downtime switch, create a second key
 * first and revoke the old one when clients use the new one.)
 */
export async function rotateApiKey(
  db: Db,
  developerId: string,
  consumerKey: string,
  now: Date,
): Promise<RotateApiKeyResult> {
  const result = await db.$transaction(async (tx) => {
    const { count } = await tx.apiKey.updateMany({
      where: { consumerKey, developerId, revokedAt: null },
      data: { revokedAt: now },
    });
    if (count === 0) return null;
    return createApiKey(tx, developerId, now);
  });
  forgetCachedCredentials(consumerKey);
  if (result) return { ok: true, credentials: result };
  const exists = await db.apiKey.count({ where: { consumerKey, developerId } });
  return { ok: false, reason: exists ? 'already_revoked' : 'not_found' };
}

export async function updateDeveloperSettings(
  db: Db,
  developerId: string,
  input: UpdateDeveloperSettingsInput,
): Promise<void> {
  await db.developer.update({
    where: { id: developerId },
    data: { appName: input.appName, callbackUrlPrefixes: input.callbackUrlPrefixes },
  });
}

export const FIRST_DEVELOPER = { email: 'admin@localhost', appName: 'My App' } as const;

export interface FirstDeveloperCredentials extends DeveloperKeyCredentials {
  /** Dashboard sign-in, shown once in the first-start message. */
  email: string;
  password: string;
}

/**
 * First start in embedded mode: a newcomer gets working API credentials and a
 * dashboard sign-in without any command. Returns them only when just created.
 */
export async function ensureFirstDeveloper(db: Db): Promise<FirstDeveloperCredentials | null> {
  if ((await db.developer.count()) > 0) return null;
  const credentials = await createDeveloperKey(db, { email: FIRST_DEVELOPER.email, appName: FIRST_DEVELOPER.appName });
  const password = generatePassword();
  await db.developer.update({
    where: { id: credentials.developerId },
    data: { passwordHash: await hashPassword(password) },
  });
  return { ...credentials, email: FIRST_DEVELOPER.email, password };
}

/** Nonces older than this can no longer pass the ±15-minute timestamp check. */
export const NONCE_RETENTION_MS = 31 * 60 * 1000;

export type SignedRequestRecord =
  | { kind: 'replay' }
  | { kind: 'accepted' }
  /** Over the key's request limit; `retryAt` is when its window ends. */
  | { kind: 'limited'; retryAt: Date };

/**
 * Records a signed request: its nonce (a nonce already seen is a replay) and, with a limit, one request on
 * the key's counter. One statement for both, so the limit costs no extra round trip: the counter is only
 * touched when the nonce was new (a replay counts nothing), and its increment is atomic, so concurrent
 * requests on any number of instances each see their own count.
 */
export async function recordSignedRequest(
  db: Db,
  request: { consumerKey: string; nonce: string; now: Date },
  limit: RateLimit | null,
): Promise<SignedRequestRecord> {
  const { consumerKey, nonce, now } = request;
  if (!limit) {
    const inserted = await db.$executeRaw`
      INSERT INTO oauth_nonces (consumer_key, nonce, seen_at) VALUES (${consumerKey}, ${nonce}, ${now})
      ON CONFLICT DO NOTHING`;
    return inserted === 1 ? { kind: 'accepted' } : { kind: 'replay' };
  }
  const key = rateLimitKey(limit, consumerKey);
  const resetsAt = new Date(now.getTime() + limit.windowMs);
  const [row] = await db.$queryRaw<{ fresh: number; count: number | null; resets_at: Date | null }[]>`
    WITH nonce AS (
      INSERT INTO oauth_nonces (consumer_key, nonce, seen_at) VALUES (${consumerKey}, ${nonce}, ${now})
      ON CONFLICT DO NOTHING RETURNING 1
    ), counted AS (
      INSERT INTO rate_limit_counters AS counter (key, count, resets_at)
      SELECT ${key}, 1, ${resetsAt} WHERE EXISTS (SELECT 1 FROM nonce)
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN counter.resets_at <= ${now} THEN 1 ELSE counter.count + 1 END,
        resets_at = CASE WHEN counter.resets_at <= ${now} THEN EXCLUDED.resets_at ELSE counter.resets_at END
      RETURNING count, resets_at
    )
    SELECT (SELECT count(*) FROM nonce)::int AS fresh, (SELECT count FROM counted) AS count,
           (SELECT resets_at FROM counted) AS resets_at`;
  if (!row || Number(row.fresh) !== 1) return { kind: 'replay' };
  if (row.count !== null && Number(row.count) > limit.max && row.resets_at) {
    return { kind: 'limited', retryAt: new Date(row.resets_at) };
  }
  return { kind: 'accepted' };
}

export async function purgeOldNonces(db: Db, now: Date): Promise<number> {
  const { count } = await db.oAuthNonce.deleteMany({
    where: { seenAt: { lt: new Date(now.getTime() - NONCE_RETENTION_MS) } },
  });
  return count;
}
