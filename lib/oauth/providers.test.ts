import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '@/lib/env';
import { oauthProviderSpecWith, oauthRedirectUri, oauthTypeForDiscoveryKey } from './providers';

const base = { MAILPORT_MASTER_KEY: `${'0'.repeat(63)}1`, MAILPORT_DATA_DIR: '/tmp/mailport-oauth-env-test' };

describe('OAuth2 provider table', () => {
  it("defaults to Google's and Microsoft's real endpoints", () => {
    const { oauth } = parseConfig(base);
    const google = oauthProviderSpecWith('GMAIL_OAUTH2', oauth.google);
    expect(google).toMatchObject({
      authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
      tokenEndpoint: 'https://oauth2.googleapis.com/token',
      imap: { server: 'imap.gmail.com', port: 993, tlsMode: 'TLS' },
    });
    expect(google.scopes).toEqual(['openid', 'email', 'https://mail.google.com/']);
    const microsoft = oauthProviderSpecWith('MSLIVECONNECT', oauth.microsoft);
    expect(microsoft.scopes).toContain('https://outlook.office.com/IMAP.AccessAsUser.All');
    expect(microsoft.scopes).toContain('offline_access');
    expect(microsoft.issuer).toBe('https://login.microsoftonline.com/{tenantid}/v2.0');
  });

  it('takes overrides from the environment (a sovereign cloud, a local test server)', () => {
    const { oauth } = parseConfig({
      ...base,
      MAILPORT_OAUTH_MICROSOFT_AUTHORIZATION_URL: 'https://login.microsoftonline.us/common/oauth2/v2.0/authorize',
      MAILPORT_OAUTH_MICROSOFT_ISSUER: 'https://login.microsoftonline.us/{tenantid}/v2.0',
      MAILPORT_OAUTH_MICROSOFT_IMAP: 'imap://127.0.0.1:1143',
    });
    expect(oauthProviderSpecWith('MSLIVECONNECT', oauth.microsoft)).toMatchObject({
      authorizationEndpoint: 'https://login.microsoftonline.us/common/oauth2/v2.0/authorize',
      tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
      issuer: 'https://login.microsoftonline.us/{tenantid}/v2.0',
      imap: { server: '127.0.0.1', port: 1143, tlsMode: 'NONE' },
    });
  });

  it('refuses a malformed override, naming the variable', () => {
    expect(() => parseConfig({ ...base, MAILPORT_OAUTH_GOOGLE_IMAP: 'imap.gmail.com' })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, MAILPORT_OAUTH_GOOGLE_TOKEN_URL: 'ftp://x' })).toThrow(
      /MAILPORT_OAUTH_GOOGLE_TOKEN_URL/,
    );
  });

  it('maps discovery keys and builds the redirect URI from the public URL', () => {
    expect(oauthTypeForDiscoveryKey('gmail')).toBe('GMAIL_OAUTH2');
    expect(oauthTypeForDiscoveryKey('outlook')).toBe('MSLIVECONNECT');
    expect(oauthTypeForDiscoveryKey('yahoo')).toBeNull();
    expect(oauthRedirectUri('https://mail.example.com')).toBe('https://mail.example.com/connect/oauth/callback');
  });
});
