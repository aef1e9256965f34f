import { z } from 'zod';
import { OAUTH_PROVIDER_TYPES } from '@/lib/oauth/providers';
import { storableString } from '@/lib/validation/fields';

/** A developer's own OAuth client at Google or Microsoft (spec §14): inputs and the JSON the API shows. */

/** Client ids of both providers are short printable strings; anything else is a typo or an attack. */
const clientId = storableString({ error: 'expected the OAuth client id' })
  .trim()
  .min(1, 'expected the OAuth client id')
  .max(300, 'expected at most 300 characters')
  .regex(/^[\x21-\x7e]+$/, 'expected printable characters without spaces');

export const oauthProviderKeyParam = clientId.meta({
  description: 'The OAuth client id (provider_consumer_key) at Google or Microsoft.',
});

export const createOAuthProviderInput = z.object({
  type: z
    .preprocess(
      (value) => (typeof value === 'string' ? value.trim().toUpperCase() : value),
      z.enum(OAUTH_PROVIDER_TYPES, { error: `expected one of ${OAUTH_PROVIDER_TYPES.join(', ')}` }),
    )
    .meta({ description: 'GMAIL_OAUTH2 (Google) or MSLIVECONNECT (Microsoft).' }),
  provider_consumer_key: oauthProviderKeyParam,
  provider_consumer_secret: storableString({ error: 'expected the OAuth client secret' })
    .trim()
    .min(1, 'expected the OAuth client secret')
    .max(1000, 'expected at most 1000 characters')
    .meta({ description: 'The OAuth client secret; stored encrypted, never returned (only its last 4 characters).' }),
});
export type CreateOAuthProviderInput = z.output<typeof createOAuthProviderInput>;

export const oauthProviderJson = z
  .object({
    type: z.string().meta({ description: OAUTH_PROVIDER_TYPES.join(' or ') }),
    provider_consumer_key: z.string(),
    provider_consumer_secret: z.string().meta({ description: 'Only the last 4 characters, e.g. "…x9Qa"' }),
    redirect_uri: z.string().meta({ description: 'The redirect URI to register with the provider' }),
    resource_url: z.string(),
  })
  .meta({ id: 'OAuthProvider' });

export const oauthProviderCreatedJson = z.object({
  success: z.literal(true),
  provider_consumer_key: z.string(),
  resource_url: z.string(),
});

/** The secret as shown: its last 4 characters only (fewer for a very short secret). */
export function maskedSecret(last4: string): string {
  return `…${last4}`;
}

/** A short secret (real ones are 24+ characters) shows nothing, so the mask never gives most of it away. */
export function lastFourOf(secret: string): string {
  return secret.length >= 12 ? secret.slice(-4) : '';
}
