import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { newConsumerKey, newConsumerSecret, newDeveloperId, newRowId } from '@/lib/ids';
import type { CreateDeveloperKeyInput, DeveloperKeyCredentials } from './schema';

/** Creates the developer if the email is new (keeping an existing one's app name), then a new API key. */
export async function createDeveloperKey(db: Db, input: CreateDeveloperKeyInput): Promise<DeveloperKeyCredentials> {
  const developer = await db.developer.upsert({
    where: { email: input.email },
    create: { id: newDeveloperId(), email: input.email, appName: input.appName },
    update: {},
    select: { id: true },
  });
  const key = newConsumerKey();
  const secret = newConsumerSecret();
  await db.apiKey.create({
    data: { id: newRowId(), developerId: developer.id, consumerKey: key, secretCiphertext: encryptSecret(secret) },
  });
  return { developerId: developer.id, key, secret };
}

export const FIRST_DEVELOPER = { email: 'admin@localhost', appName: 'My App' } as const;

/**
 * First start in embedded mode: a newcomer gets working credentials without
 * any command. Returns them only when they were just created.
 */
export async function ensureFirstDeveloper(db: Db): Promise<DeveloperKeyCredentials | null> {
  if ((await db.developer.count()) > 0) return null;
  return createDeveloperKey(db, { email: FIRST_DEVELOPER.email, appName: FIRST_DEVELOPER.appName });
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

export async function purgeOldNonces(db: Db, now: Date): Promise<number> {
  const { count } = await db.oAuthNonce.deleteMany({
    where: { seenAt: { lt: new Date(now.getTime() - NONCE_RETENTION_MS) } },
  });
  return count;
}
