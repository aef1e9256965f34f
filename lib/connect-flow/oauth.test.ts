import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { type OAuthServer, startOAuthServer, testClientId } from '@/e2e/fixtures/oauth-server';
import { createConnectToken } from '@/lib/connect-tokens/mutations';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { resetConfigForTests } from '@/lib/env';
import { verifyImapLogin } from '@/lib/imap/verify';
import { createOAuthProvider } from '@/lib/oauth-providers/mutations';
import { loadConnectPage } from './data';
import { type ConnectFlowDeps, openConnectFlow } from './mutations';
import { findOAuthOption, finishOAuthSignIn, oauthCookieName, startOAuthSignIn } from './oauth';

/**
 * The connect flow's OAuth2 sign-in without a browser, against the local
 * authorization server and a Dovecot checking tokens by introspection: the
 * happy path and each failure the pages show, on PGlite and PostgreSQL.
 */

const PUBLIC_URL = 'http://localhost:3999';
let authServer: OAuthServer;
let dovecot: DovecotServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  authServer = await startOAuthServer();
  dovecot = await startDovecot({ oauth2IntrospectionUrl: authServer.introspectionUrl });
  Object.assign(
    process.env,
    authServer.env({ google: `imap://127.0.0.1:${dovecot.port}`, microsoft: `imap://127.0.0.1:${dovecot.port}` }),
  );
  resetConfigForTests();
}, 30_000);

afterAll(async () => {
  process.env = savedEnv;
  resetConfigForTests();
  await Promise.all([dovecot?.stop(), authServer?.stop()]);
});

/** Discovery as the table answers for gmail.com (no network); real IMAP logins. */
const deps: ConnectFlowDeps = {
  discover: async (email) => ({
    found: true,
    settings: {
      provider: 'gmail',
      server: 'imap.gmail.com',
      port: 993,
      tlsMode: 'TLS',
      username: email,
      source: 'table',
    },
  }),
  verify: (login) => verifyImapLogin(login, { allowPrivateHosts: true }),
  startSync: async () => {},
};

/** The consent page as a browser without JavaScript walks it: the provider's redirect back, as a URL. */
async function consent(authorizeUrl: string, email: string, decision: 'allow' | 'deny'): Promise<URL> {
  const html = await (await fetch(authorizeUrl)).text();
  const form = new URLSearchParams();
  for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    form.set(
      match[1] ?? '',
      (match[2] ?? '').replace(/&#(\d+);/g, (_, code) => String.fromCharCode(Number(code))),
    );
  }
  form.set('email', email);
  form.set('decision', decision);
  const action = /action="([^"]+)"/.exec(html)?.[1] ?? '';
  const answer = await fetch(new URL(action, authServer.url), { method: 'POST', body: form, redirect: 'manual' });
  return new URL(answer.headers.get('location') ?? '');
}

describe.each(testDatabaseKinds())('OAuth2 connect flow on %s', (kind) => {
  let database: TestDatabase;
  let developerId: string;
  const clientId = testClientId();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    ({ developerId } = await createDeveloperKey(database.db, { email: `flow-${kind}@example.com`, appName: 'Flow' }));
    authServer.registerClient(clientId, 'flow-client-secret-1234');
    await createOAuthProvider(
      database.db,
      developerId,
      { type: 'GMAIL_OAUTH2', provider_consumer_key: clientId, provider_consumer_secret: 'flow-client-secret-1234' },
      new Date(),
    );
  });
  afterAll(async () => {
    await database?.close();
  });

  async function openFlow(email: string) {
    const created = await createConnectToken(
      database.db,
      developerId,
      { level: 'top' },
      { callback_url: 'https://partner.example.com/done?x=1', email } as never,
      new Date(),
      { allowPrivateHosts: true },
    );
    if (!created.ok) throw new Error(created.reason);
    const opened = await loadConnectPage(database.db, created.token, new Date());
    if (opened.kind !== 'active') throw new Error(opened.kind);
    await openConnectFlow(database.db, opened.row, deps, new Date());
    return created.token;
  }

  const activeRow = async (token: string) => {
    const state = await loadConnectPage(database.db, token, new Date());
    if (state.kind !== 'active') throw new Error(state.kind);
    return state.row;
  };

  async function start(token: string) {
    const started = await startOAuthSignIn(database.db, await activeRow(token), {
      publicUrl: PUBLIC_URL,
      now: new Date(),
    });
    if (!started.ok) throw new Error(started.code);
    const cookies = new Map([[started.cookie.name, started.cookie.value]]);
    return { started, cookie: (name: string) => cookies.get(name) };
  }

  const finish = async (token: string, back: URL, cookie: (name: string) => string | undefined) =>
    finishOAuthSignIn(
      database.db,
      await activeRow(token),
      { params: back.searchParams, cookie, publicUrl: PUBLIC_URL },
      deps,
      new Date(),
    );

  it('offers Google, signs in with PKCE, proves IMAP by XOAUTH2 and completes like the password path', async () => {
    const email = `alice-${kind}@gmail.com`;
    const token = await openFlow(email);
    expect(await findOAuthOption(database.db, await activeRow(token))).toEqual({
      type: 'GMAIL_OAUTH2',
      name: 'Google',
      acceptsPasswords: true,
    });
    const { started, cookie } = await start(token);
    expect(started.cookie.name).toBe(oauthCookieName(token));
    const authorize = new URL(started.redirectUrl);
    expect(authorize.searchParams.get('login_hint')).toBe(email);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${PUBLIC_URL}/connect/oauth/callback`);

    const back = await consent(started.redirectUrl, email, 'allow');
    const result = await finish(token, back, cookie);
    expect(result).toEqual({ ok: true, redirectUrl: `https://partner.example.com/done?x=1&contextio_token=${token}` });
    const source = await database.db.source.findFirstOrThrow({
      where: { account: { developerId }, email },
      select: {
        authenticationType: true,
        label: true,
        server: true,
        oauthProviderId: true,
        accessTokenExpiresAt: true,
      },
    });
    expect(source).toMatchObject({ authenticationType: 'oauth2', label: `alice-${kind}::gmail`, server: '127.0.0.1' });
    expect(source.oauthProviderId).toBeTruthy();

    // The provider answer is spent: a replay finds no pending sign-in (the used token's page says "connected").
    const spent = await database.db.connectFlow.findUniqueOrThrow({ where: { tokenId: token } });
    expect(spent.oauthStateHash).toBeNull();
    expect((await loadConnectPage(database.db, token, new Date())).kind).toBe('used');
  });

  it('each failure is stored for its own page', async () => {
    const pinned = `pinned-${kind}@gmail.com`;
    const failureOf = async (token: string) =>
      ((await database.db.connectFlow.findUniqueOrThrow({ where: { tokenId: token } })).error as { code?: string })
        ?.code;

    // Wrong account: the token named one address, the user signed in with another.
    let token = await openFlow(pinned);
    let flow = await start(token);
    expect(
      await finish(token, await consent(flow.started.redirectUrl, `other-${kind}@gmail.com`, 'allow'), flow.cookie),
    ).toMatchObject({
      ok: false,
      code: 'oauth_wrong_account',
    });
    expect(await failureOf(token)).toBe('oauth_wrong_account');

    // Denied consent.
    token = await openFlow(pinned);
    flow = await start(token);
    expect(await finish(token, await consent(flow.started.redirectUrl, pinned, 'deny'), flow.cookie)).toMatchObject({
      code: 'oauth_denied',
    });

    // Another browser (no cookie, or another flow's cookie): refused, and the state stays unspent for the right one.
    token = await openFlow(pinned);
    flow = await start(token);
    const back = await consent(flow.started.redirectUrl, pinned, 'allow');
    expect(await finish(token, back, () => undefined)).toMatchObject({ code: 'oauth_state_invalid' });

    // A stale state: a second "Continue" replaced the first.
    token = await openFlow(pinned);
    const first = await start(token);
    const firstBack = await consent(first.started.redirectUrl, pinned, 'allow');
    await start(token);
    expect(await finish(token, firstBack, first.cookie)).toMatchObject({ code: 'oauth_state_invalid' });

    // The provider is down at the token endpoint.
    token = await openFlow(pinned);
    flow = await start(token);
    const downBack = await consent(flow.started.redirectUrl, pinned, 'allow');
    authServer.configure({ down: 'token' });
    try {
      expect(await finish(token, downBack, flow.cookie)).toMatchObject({ code: 'oauth_provider_down' });
    } finally {
      authServer.configure({ down: 'no' });
    }
    // The provider answers with an error (here: a code it never issued).
    token = await openFlow(pinned);
    flow = await start(token);
    const forged = await consent(flow.started.redirectUrl, pinned, 'allow');
    forged.searchParams.set('code', 'code.not-issued');
    expect(await finish(token, forged, flow.cookie)).toMatchObject({ code: 'oauth_provider_error' });
  });

  it('concurrent returns with one state complete the token once', async () => {
    const email = `race-${kind}@gmail.com`;
    const token = await openFlow(email);
    const { started, cookie } = await start(token);
    const back = await consent(started.redirectUrl, email, 'allow');
    const results = await Promise.all(Array.from({ length: 8 }, () => finish(token, back, cookie)));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await database.db.source.count({ where: { account: { developerId }, email } })).toBe(1);
  });
});
