import type { z } from 'zod';
import { oauthRedirectUri } from '@/lib/oauth/providers';
import type { OAuthProviderRow } from './data';
import { maskedSecret, type oauthProviderJson } from './schema';

export function oauthProviderResourceUrl(baseUrl: string, consumerKey: string): string {
  return `${baseUrl}/2.0/oauth_providers/${encodeURIComponent(consumerKey)}`;
}

/** Spec §14; the secret only as its last 4 characters. */
export function serializeOAuthProvider(row: OAuthProviderRow, baseUrl: string): z.output<typeof oauthProviderJson> {
  return {
    type: row.type,
    provider_consumer_key: row.consumerKey,
    provider_consumer_secret: maskedSecret(row.secretLast4),
    redirect_uri: oauthRedirectUri(baseUrl),
    resource_url: oauthProviderResourceUrl(baseUrl, row.consumerKey),
  };
}
