import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { type OAuthServer, startOAuthServer, testClientId } from '@/e2e/fixtures/oauth-server';
import { verifyImapLogin } from '@/lib/imap/verify';
import {
  authorizationUrl,
  exchangeAuthorizationCode,
  newOAuthState,
  newPkceVerifier,
  refreshAccessToken,
} from './client';
import { type OAuthProviderSpec, type OAuthProviderTypeName, oauthProviderSpecWith } from './providers';

/**
 * The OAuth2 client against a real local authorization server, and the tokens
 * it gets against a real Dovecot that checks them by introspection (XOAUTH2).
 */

let authServer: OAuthServer;
let dovecot: DovecotServer;
const REDIRECT_URI = 'http://localhost:3999/connect/oauth/callback';

beforeAll(async () => {
  authServer = await startOAuthServer();
  dovecot = await startDovecot({ oauth2IntrospectionUrl: authServer.introspectionUrl });
}, 30_000);

afterAll(async () => {
  await Promise.all([dovecot?.stop(), authServer?.stop()]);
});

function specFor(type: OAuthProviderTypeName): OAuthProviderSpec {
  const env = authServer.env({
    google: `imap://127.0.0.1:${dovecot.port}`,
    microsoft: `imap://127.0.0.1:${dovecot.port}`,
  });
  const prefix = type === 'GMAIL_OAUTH2' ? 'MAILPORT_OAUTH_GOOGLE' : 'MAILPORT_OAUTH_MICROSOFT';
  return oauthProviderSpecWith(type, {
    authorizationUrl: env[`${prefix}_AUTHORIZATION_URL`],
    tokenUrl: env[`${prefix}_TOKEN_URL`],
    issuer: env[`${prefix}_ISSUER`],
    imap: env[`${prefix}_IMAP`],
  });
}

/** Walks the consent page as a browser without JavaScript would: GET it, POST its form. */
async function consent(url: string, email: string, decision: 'allow' | 'deny'): Promise<URLSearchParams> {
  const page = await fetch(url);
  expect(page.status).toBe(200);
  const html = await page.text();
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1] ?? '';
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      match[1] ?? '',
      (match[2] ?? '').replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
    );
  }
  form.set('email', email);
  form.set('decision', decision);
  const answer = await fetch(new URL(action, authServer.url), { method: 'POST', body: form, redirect: 'manual' });
  expect(answer.status).toBe(302);
  const location = new URL(answer.headers.get('location') ?? '');
  expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
  return location.searchParams;
}

async function signIn(type: OAuthProviderTypeName, email: string) {
  const spec = specFor(type);
  const client = { clientId: testClientId(), clientSecret: 'secret-1234' };
  authServer.registerClient(client.clientId, client.clientSecret);
  const state = newOAuthState();
  const codeVerifier = newPkceVerifier();
  const url = await authorizationUrl(spec, client.clientId, {
    redirectUri: REDIRECT_URI,
    state,
    codeVerifier,
    loginHint: email,
  });
  const params = await consent(url, email, 'allow');
  const exchanged = await exchangeAuthorizationCode(
    spec,
    client,
    { params, redirectUri: REDIRECT_URI, state, codeVerifier },
    new Date(),
  );
  return { spec, client, exchanged, url };
}

const imapLogin = (email: string, accessToken: string) => ({
  server: '127.0.0.1',
  port: dovecot.port,
  tlsMode: 'NONE' as const,
  username: email,
  accessToken,
});

describe.each(['GMAIL_OAUTH2', 'MSLIVECONNECT'] as const)('%s', (type) => {
  it('signs in with PKCE, reads the address, and the token opens the mailbox by XOAUTH2', async () => {
    const email = `user-${type.toLowerCase()}@example.test`;
    const { exchanged, url } = await signIn(type, email);
    const sent = new URL(url).searchParams;
    expect(sent.get('code_challenge_method')).toBe('S256');
    expect(sent.get('scope')).toContain('email');
    if (!exchanged.ok) throw new Error(`exchange failed: ${exchanged.detail}`);
    expect(exchanged.email).toBe(email);
    expect(exchanged.tokens.refreshToken).toBeTruthy();
    expect(exchanged.tokens.expiresAt.getTime()).toBeGreaterThan(Date.now() + 3000_000);
    expect(await verifyImapLogin(imapLogin(email, exchanged.tokens.accessToken), { allowPrivateHosts: true })).toEqual({
      ok: true,
    });
  });

  it('refreshes an expired access token, rotating the refresh token; a revoked grant is invalid_grant', async () => {
    const email = `refresh-${type.toLowerCase()}@example.test`;
    const { spec, client, exchanged } = await signIn(type, email);
    if (!exchanged.ok) throw new Error(exchanged.detail);
    authServer.expireAccessTokens(email);
    const refused = await verifyImapLogin(imapLogin(email, exchanged.tokens.accessToken), { allowPrivateHosts: true });
    expect(refused).toMatchObject({ ok: false, failure: 'auth_failed' });

    const refreshed = await refreshAccessToken(spec, client, exchanged.tokens.refreshToken ?? '', new Date());
    if (!refreshed.ok) throw new Error(refreshed.detail);
    expect(refreshed.tokens.refreshToken).toBeTruthy();
    expect(refreshed.tokens.refreshToken).not.toBe(exchanged.tokens.refreshToken);
    expect(await verifyImapLogin(imapLogin(email, refreshed.tokens.accessToken), { allowPrivateHosts: true })).toEqual({
      ok: true,
    });

    authServer.revokeUser(email);
    const revoked = await refreshAccessToken(spec, client, refreshed.tokens.refreshToken ?? '', new Date());
    expect(revoked).toMatchObject({ ok: false, failure: 'invalid_grant' });
  });
});

describe('failures', () => {
  it('denied consent is access_denied', async () => {
    const spec = specFor('GMAIL_OAUTH2');
    const client = { clientId: testClientId(), clientSecret: 's' };
    authServer.registerClient(client.clientId, client.clientSecret);
    const state = newOAuthState();
    const codeVerifier = newPkceVerifier();
    const url = await authorizationUrl(spec, client.clientId, { redirectUri: REDIRECT_URI, state, codeVerifier });
    const params = await consent(url, 'no@example.test', 'deny');
    const result = await exchangeAuthorizationCode(
      spec,
      client,
      { params, redirectUri: REDIRECT_URI, state, codeVerifier },
      new Date(),
    );
    expect(result).toMatchObject({ ok: false, failure: 'access_denied' });
  });

  it('a wrong PKCE verifier or state never yields tokens', async () => {
    const spec = specFor('GMAIL_OAUTH2');
    const client = { clientId: testClientId(), clientSecret: 's' };
    authServer.registerClient(client.clientId, client.clientSecret);
    const state = newOAuthState();
    const codeVerifier = newPkceVerifier();
    const url = await authorizationUrl(spec, client.clientId, { redirectUri: REDIRECT_URI, state, codeVerifier });
    const params = await consent(url, 'pkce@example.test', 'allow');
    const wrongState = await exchangeAuthorizationCode(
      spec,
      client,
      { params, redirectUri: REDIRECT_URI, state: newOAuthState(), codeVerifier },
      new Date(),
    );
    expect(wrongState).toMatchObject({ ok: false, failure: 'provider_error' });
    const wrongVerifier = await exchangeAuthorizationCode(
      spec,
      client,
      { params, redirectUri: REDIRECT_URI, state, codeVerifier: newPkceVerifier() },
      new Date(),
    );
    expect(wrongVerifier).toMatchObject({ ok: false, failure: 'invalid_grant' });
  });

  it('a provider that answers 503, 429 or not at all is provider_down (tried again later, the grant kept)', async () => {
    const spec = specFor('MSLIVECONNECT');
    const client = { clientId: testClientId(), clientSecret: 's' };
    for (const down of ['token', 'throttled', 'throttled-html'] as const) {
      authServer.configure({ down });
      try {
        expect(await refreshAccessToken(spec, client, 'rt.x', new Date()), down).toMatchObject({
          ok: false,
          failure: 'provider_down',
        });
      } finally {
        authServer.configure({ down: 'no' });
      }
    }
    const closed = { ...spec, tokenEndpoint: 'http://127.0.0.1:9/token' };
    expect(await refreshAccessToken(closed, client, 'rt.x', new Date())).toMatchObject({
      ok: false,
      failure: 'provider_down',
    });
  });
});
