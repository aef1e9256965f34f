import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { newRowId } from '@/lib/ids';
import type { OwnedOAuthProvider } from './data';
import { type CreateOAuthProviderInput, lastFourOf } from './schema';

export type CreateOAuthProviderResult =
  | { ok: true; consumerKey: string }
  | { ok: false; reason: 'oauth_provider_exists'; consumerKey: string };

/** Adds a provider; a client id the developer already has is refused (delete it first to change the secret). */
export async function createOAuthProvider(
  db: Db,
  developerId: string,
  input: CreateOAuthProviderInput,
  now: Date,
): Promise<CreateOAuthProviderResult> {
  try {
    await db.oAuthProvider.create({
      data: {
        id: newRowId(),
        developerId,
        type: input.type,
        consumerKey: input.provider_consumer_key,
        secretCiphertext: encryptSecret(input.provider_consumer_secret),
        secretLast4: lastFourOf(input.provider_consumer_secret),
        createdAt: now,
      },
    });
    return { ok: true, consumerKey: input.provider_consumer_key };
  } catch (error) {
    // The unique (developer, client id) index decides a concurrent double add, not a read before the write.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { ok: false, reason: 'oauth_provider_exists', consumerKey: input.provider_consumer_key };
    }
    throw error;
  }
}

/** Sources signed in through it keep their tokens until a refresh needs the secret (spec §14). */
export async function deleteOAuthProvider(db: Db, provider: OwnedOAuthProvider): Promise<boolean> {
  const { count } = await db.oAuthProvider.deleteMany({
    where: { id: provider.id, developerId: provider.developerId },
  });
  return count === 1;
}
