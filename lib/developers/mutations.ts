import { generatePassword, hashPassword } from '@/lib/crypto/passwords';
import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { newConsumerKey, newConsumerSecret, newDeveloperId, newRowId } from '@/lib/ids';
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

/** Records a nonce for a key; false when it was already seen (a replay). */
export async function recordNonce(db: Db, consumerKey: string, nonce: string, now: Date): Promise<boolean> {
  const inserted = await db.$executeRaw`
    INSERT INTO oauth_nonces (consumer_key, nonce, seen_at) VALUES (${consumerKey}, ${nonce}, ${now})
    ON CONFLICT DO NOTHING`;
  return inserted === 1;
}

/** A request whose nonce was seen before: the wrapper answers 401 (lib/http/respond.ts). */
export class NonceReplayedError extends Error {
  override name = 'NonceReplayedError';
  constructor() {
    super('oauth_nonce has already been used: every request needs a fresh nonce');
  }
}

/**
 * A verified request's nonce, not yet recorded. A hot read folds the insert into
 * its own statement (one round trip instead of two; issue 14) through cte() and
 * settle(); whatever a handler leaves unsettled, the API wrapper records with
 * settle(db) before it answers. Either way the shared table decides, so a replay
 * fails on every instance. Only statements that change nothing may run before
 * the claim is settled: a replayed create must not create.
 */
export class NonceClaim {
  #fresh: boolean | undefined;

  constructor(
    readonly consumerKey: string,
    readonly nonce: string,
    readonly seenAt: Date,
  ) {}

  get isSettled(): boolean {
    return this.#fresh !== undefined;
  }

  /**
   * `oauth_nonce AS (INSERT …)` for a statement's WITH clause; the statement
   * selects `(SELECT count(*) FROM oauth_nonce)::int AS nonce_fresh` on a row it always returns.
   */
  cte(): Prisma.Sql {
    return Prisma.sql`oauth_nonce AS (
      INSERT INTO oauth_nonces (consumer_key, nonce, seen_at) VALUES (${this.consumerKey}, ${this.nonce}, ${this.seenAt})
      ON CONFLICT DO NOTHING RETURNING 1)`;
  }

  /** The outcome of the statement that carried cte(); throws NonceReplayedError on a replay. */
  settleWith(freshCount: number): void {
    this.#fresh = freshCount === 1;
    if (!this.#fresh) throw new NonceReplayedError();
  }

  /** Records the nonce on its own unless a statement already did; throws NonceReplayedError on a replay. */
  async settle(db: Db): Promise<void> {
    if (this.#fresh === undefined) this.#fresh = await recordNonce(db, this.consumerKey, this.nonce, this.seenAt);
    if (!this.#fresh) throw new NonceReplayedError();
  }
}

export async function purgeOldNonces(db: Db, now: Date): Promise<number> {
  const { count } = await db.oAuthNonce.deleteMany({
    where: { seenAt: { lt: new Date(now.getTime() - NONCE_RETENTION_MS) } },
  });
  return count;
}
