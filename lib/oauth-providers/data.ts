import { decryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { brandOwned, type Owned } from '@/lib/db/owned';
import type { OAuthClientCredentials } from '@/lib/oauth/client';
import type { OAuthProviderTypeName } from '@/lib/oauth/providers';

/** Every column a response may show: never the secret's ciphertext. */
const providerPublicSelect = {
  id: true,
  type: true,
  consumerKey: true,
  secretLast4: true,
  createdAt: true,
} satisfies Prisma.OAuthProviderSelect;

export type OAuthProviderRow = Prisma.OAuthProviderGetPayload<{ select: typeof providerPublicSelect }>;
export type OwnedOAuthProvider = Owned<OAuthProviderRow>;

export async function listOAuthProviders(db: Db, developerId: string): Promise<OwnedOAuthProvider[]> {
  const rows = await db.oAuthProvider.findMany({
    where: { developerId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: providerPublicSelect,
  });
  return rows.map((row) => brandOwned(row, developerId));
}

export async function findOAuthProvider(
  db: Db,
  developerId: string,
  consumerKey: string,
): Promise<OwnedOAuthProvider | null> {
  const row = await db.oAuthProvider.findUnique({
    where: { developerId_consumerKey: { developerId, consumerKey } },
    select: providerPublicSelect,
  });
  return row && brandOwned(row, developerId);
}

/** The developer's provider of a type (the newest, if they added several): what the connect flow offers. */
export async function findOAuthProviderOfType(
  db: Db,
  developerId: string,
  type: OAuthProviderTypeName,
): Promise<OwnedOAuthProvider | null> {
  const row = await db.oAuthProvider.findFirst({
    where: { developerId, type },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: providerPublicSelect,
  });
  return row && brandOwned(row, developerId);
}

export interface OAuthClient extends OAuthClientCredentials {
  type: OAuthProviderTypeName;
}

/**
 * The client id and decrypted secret of one of the developer's providers, by
 * row id: for a code exchange or a refresh only, never for a response. Null
 * when the provider was deleted (its sources then fail at their next refresh).
 */
export async function oauthClientCredentials(
  db: Db,
  developerId: string,
  providerId: string,
): Promise<OAuthClient | null> {
  const row = await db.oAuthProvider.findFirst({
    where: { id: providerId, developerId },
    select: { type: true, consumerKey: true, secretCiphertext: true },
  });
  if (!row) return null;
  return { type: row.type, clientId: row.consumerKey, clientSecret: decryptSecret(row.secretCiphertext) };
}
