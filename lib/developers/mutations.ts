import { generatePassword, hashPassword } from '@/lib/crypto/passwords';
import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
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
    // Not empty: Prisma runs an empty update as a read then an INSERT, which concurrent calls for one new
    // email failed on the unique index; this is one INSERT … ON CONFLICT, and the email set to itself.
    update: { email: input.email },
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
  const [row] = await db.$queryRaw<{ fresh: number; count: number | null; resets_at: Date | null }[]>`
    WITH nonce AS (
      INSERT INTO oauth_nonces (consumer_key, nonce, seen_at) VALUES (${consumerKey}, ${nonce}, ${now})
      ON CONFLICT DO NOTHING RETURNING 1
    ), counted AS (${countRequestSql(limit, consumerKey, now, 'nonce')})
    SELECT (SELECT count(*) FROM nonce)::int AS fresh, (SELECT count FROM counted) AS count,
           (SELECT resets_at FROM counted) AS resets_at`;
  if (!row || Number(row.fresh) !== 1) return { kind: 'replay' };
  if (row.count !== null && Number(row.count) > limit.max && row.resets_at) {
    return { kind: 'limited', retryAt: new Date(row.resets_at) };
  }
  return { kind: 'accepted' };
}

/** A request whose nonce was seen before: the wrapper answers 401 (lib/http/api-route.ts). */
export class NonceReplayedError extends Error {
  override name = 'NonceReplayedError';
  constructor() {
    super('oauth_nonce has already been used: every request needs a fresh nonce');
  }
}

/** A request over its key's per-minute limit: the wrapper answers 429 with Retry-After (lib/http/api-route.ts). */
export class ApiKeyLimitedError extends Error {
  override name = 'ApiKeyLimitedError';
  constructor(
    readonly perMinute: number,
    /** Whole seconds until the key's window ends (at least 1). */
    readonly retryAfterSeconds: number,
  ) {
    super(`this API key made more than ${perMinute} requests in a minute; retry in ${retryAfterSeconds} s`);
  }
}

/** The columns a statement carrying NonceClaim.cte() selects (on a row it always returns). */
export interface NonceOutcomeColumns {
  nonce_fresh: number;
  api_count: number | null;
  api_resets_at: Date | null;
}

/**
 * A verified request's nonce, not yet recorded, and its count against the key's
 * request limit. A hot read folds both into its own statement (one round trip
 * instead of two; issue 14) through cte() + columns() and settleWith(); whatever a
 * handler leaves unsettled, the API wrapper records with settle(db) before it
 * answers. Either way the shared tables decide, so a replay fails and the limit
 * holds on every instance. Only statements that change nothing may run before
 * the claim is settled: a replayed or refused create must not create.
 */
export class NonceClaim {
  #outcome: SignedRequestRecord | undefined;

  constructor(
    readonly consumerKey: string,
    readonly nonce: string,
    readonly seenAt: Date,
    readonly limit: RateLimit | null = null,
  ) {}

  get isSettled(): boolean {
    return this.#outcome !== undefined;
  }

  /** `oauth_nonce AS (INSERT …)[, api_request AS (…)]` for a statement's WITH clause. */
  cte(): Prisma.Sql {
    const nonce = Prisma.sql`oauth_nonce AS (
      INSERT INTO oauth_nonces (consumer_key, nonce, seen_at) VALUES (${this.consumerKey}, ${this.nonce}, ${this.seenAt})
      ON CONFLICT DO NOTHING RETURNING 1)`;
    if (!this.limit) return nonce;
    return Prisma.sql`${nonce}, api_request AS (${countRequestSql(this.limit, this.consumerKey, this.seenAt, 'oauth_nonce')})`;
  }

  /** The select-list entries that report the outcome (NonceOutcomeColumns). */
  columns(): Prisma.Sql {
    return this.limit
      ? Prisma.sql`(SELECT count(*) FROM oauth_nonce)::int AS nonce_fresh, (SELECT count FROM api_request) AS api_count,
          (SELECT resets_at FROM api_request) AS api_resets_at`
      : Prisma.sql`(SELECT count(*) FROM oauth_nonce)::int AS nonce_fresh, NULL::int AS api_count,
          NULL::timestamp(3) AS api_resets_at`;
  }

  /** The outcome of the statement that carried cte(); throws on a replay or past the limit. */
  settleWith(row: NonceOutcomeColumns | undefined): void {
    this.#outcome = outcomeOf(row, this.limit);
    this.#throwIfRefused();
  }

  /** Records the request on its own unless a statement already did; throws on a replay or past the limit. */
  async settle(db: Db): Promise<void> {
    if (this.#outcome === undefined) {
      this.#outcome = await recordSignedRequest(
        db,
        { consumerKey: this.consumerKey, nonce: this.nonce, now: this.seenAt },
        this.limit,
      );
    }
    this.#throwIfRefused();
  }

  #throwIfRefused(): void {
    const outcome = this.#outcome;
    if (outcome?.kind === 'replay') throw new NonceReplayedError();
    if (outcome?.kind === 'limited' && this.limit) {
      const seconds = Math.max(1, Math.ceil((outcome.retryAt.getTime() - this.seenAt.getTime()) / 1000));
      throw new ApiKeyLimitedError(this.limit.max, seconds);
    }
  }
}

function outcomeOf(row: NonceOutcomeColumns | undefined, limit: RateLimit | null): SignedRequestRecord {
  if (!row || Number(row.nonce_fresh) !== 1) return { kind: 'replay' };
  if (limit && row.api_count !== null && Number(row.api_count) > limit.max && row.api_resets_at) {
    return { kind: 'limited', retryAt: new Date(row.api_resets_at) };
  }
  return { kind: 'accepted' };
}

/** One request on the key's counter, counted only when the nonce CTE named `nonceCte` inserted (a replay counts nothing). */
function countRequestSql(
  limit: RateLimit,
  consumerKey: string,
  now: Date,
  nonceCte: 'oauth_nonce' | 'nonce',
): Prisma.Sql {
  const key = rateLimitKey(limit, consumerKey);
  const resetsAt = new Date(now.getTime() + limit.windowMs);
  return Prisma.sql`INSERT INTO rate_limit_counters AS counter (key, count, resets_at)
      SELECT ${key}, 1, ${resetsAt} WHERE EXISTS (SELECT 1 FROM ${Prisma.raw(nonceCte)})
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN counter.resets_at <= ${now} THEN 1 ELSE counter.count + 1 END,
        resets_at = CASE WHEN counter.resets_at <= ${now} THEN EXCLUDED.resets_at ELSE counter.resets_at END
      RETURNING count, resets_at`;
}

export async function purgeOldNonces(db: Db, now: Date): Promise<number> {
  const { count } = await db.oAuthNonce.deleteMany({
    where: { seenAt: { lt: new Date(now.getTime() - NONCE_RETENTION_MS) } },
  });
  return count;
}
