import { OAuthProviderType } from '@/lib/db/generated/enums';
import { getConfig, type OAuthEndpointOverrides } from '@/lib/env';
import type { TlsMode } from '@/lib/sources/schema';

/**
 * Google and Microsoft as OAuth2 authorization servers for IMAP (spec §14 type
 * names). The real endpoints are the defaults; lib/env.ts lets an operator point
 * them elsewhere (sovereign clouds, the tests' local authorization server).
 */

export type OAuthProviderTypeName = (typeof OAuthProviderType)[keyof typeof OAuthProviderType];
export const OAUTH_PROVIDER_TYPES = Object.values(OAuthProviderType);

export interface OAuthProviderSpec {
  type: OAuthProviderTypeName;
  /** Shown to end users and developers: "Continue with Google". */
  name: 'Google' | 'Microsoft';
  /** The discovery key (lib/discovery/providers.ts) of the mailboxes this provider signs in. */
  discoveryKey: 'gmail' | 'outlook';
  /** The id_token issuer; Microsoft's multi-tenant endpoint issues per tenant (`{tenantid}`). */
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  /** IMAP plus the signed-in address (openid email); Microsoft needs offline_access for a refresh token. */
  scopes: string[];
  /** Google returns a refresh token only for offline access, and again only on a fresh consent. */
  authorizationParams: Record<string, string>;
  /** The id_token claims that may carry the address, in order. */
  emailClaims: string[];
  imap: { server: string; port: number; tlsMode: TlsMode };
}

const DEFAULTS: Record<OAuthProviderTypeName, OAuthProviderSpec> = {
  GMAIL_OAUTH2: {
    type: 'GMAIL_OAUTH2',
    name: 'Google',
    discoveryKey: 'gmail',
    issuer: 'https://accounts.google.com',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    scopes: ['openid', 'email', 'https://mail.google.com/'],
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    emailClaims: ['email'],
    imap: { server: 'imap.gmail.com', port: 993, tlsMode: 'TLS' },
  },
  MSLIVECONNECT: {
    type: 'MSLIVECONNECT',
    name: 'Microsoft',
    discoveryKey: 'outlook',
    issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
    authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    scopes: ['openid', 'email', 'offline_access', 'https://outlook.office.com/IMAP.AccessAsUser.All'],
    authorizationParams: {},
    // Work accounts often carry the address only as preferred_username (the UPN).
    emailClaims: ['email', 'preferred_username'],
    imap: { server: 'outlook.office365.com', port: 993, tlsMode: 'TLS' },
  },
};

const OVERRIDE_KEY: Record<OAuthProviderTypeName, 'google' | 'microsoft'> = {
  GMAIL_OAUTH2: 'google',
  MSLIVECONNECT: 'microsoft',
};

/** `imaps://host:port` / `imap://host:port` as IMAP settings (lib/env.ts checked the form). */
function imapFrom(url: string): OAuthProviderSpec['imap'] {
  const match = /^(imaps?):\/\/([^/:]+):(\d+)$/.exec(url);
  if (!match) throw new Error(`not an IMAP URL: ${url}`);
  return { server: match[2] ?? '', port: Number(match[3]), tlsMode: match[1] === 'imaps' ? 'TLS' : 'NONE' };
}

/** A provider type's endpoints with these overrides (tests build one from a local server's). */
export function oauthProviderSpecWith(
  type: OAuthProviderTypeName,
  overrides: OAuthEndpointOverrides,
): OAuthProviderSpec {
  const spec = DEFAULTS[type];
  return {
    ...spec,
    issuer: overrides.issuer ?? spec.issuer,
    authorizationEndpoint: overrides.authorizationUrl ?? spec.authorizationEndpoint,
    tokenEndpoint: overrides.tokenUrl ?? spec.tokenEndpoint,
    imap: overrides.imap ? imapFrom(overrides.imap) : spec.imap,
  };
}

/** A provider type's endpoints as this instance is configured. */
export function oauthProviderSpec(type: OAuthProviderTypeName): OAuthProviderSpec {
  return oauthProviderSpecWith(type, getConfig().oauth[OVERRIDE_KEY[type]]);
}

/** The provider type that signs in mailboxes discovery called `key` (gmail, outlook), if any. */
export function oauthTypeForDiscoveryKey(key: string): OAuthProviderTypeName | null {
  return OAUTH_PROVIDER_TYPES.find((type) => DEFAULTS[type].discoveryKey === key) ?? null;
}

/** The path the provider sends the end user back to; MAILPORT_PUBLIC_URL + this is registered with it. */
export const OAUTH_CALLBACK_PATH = '/connect/oauth/callback';

export function oauthRedirectUri(publicUrl: string): string {
  return `${publicUrl}${OAUTH_CALLBACK_PATH}`;
}
