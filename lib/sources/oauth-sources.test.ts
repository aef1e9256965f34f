import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { buildMessage } from '@/e2e/fixtures/mailbox';
import { type OAuthServer, startOAuthServer, testClientId } from '@/e2e/fixtures/oauth-server';
import { findAccount } from '@/lib/accounts/data';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { resetConfigForTests } from '@/lib/env';
import { verifyImapLogin } from '@/lib/imap/verify';
import { openJobQueue } from '@/lib/jobs/queue';
import { openMailboxSession } from '@/lib/mailbox-sync/imap';
import { runSourceSync } from '@/lib/mailbox-sync/run';
import { createOAuthProvider } from '@/lib/oauth-providers/mutations';
import { loginForSource, sourceLoginSelect } from './data';
import { type AddSourceDeps, addServerSideSource } from './mutations';
import { createSourceInput } from './schema';

/**
 * OAuth2 sources over time, against the local authorization server and a
 * Dovecot that checks access tokens by introspection: the sync refreshes an
 * expired access token and stores the rotated refresh token; a revoked grant
 * makes the source INVALID_CREDENTIALS and queues its status callback; many
 * logins at once on an expired token share one refresh.
 */

let authServer: OAuthServer;
let dovecot: DovecotServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  authServer = await startOAuthServer();
  dovecot = await startDovecot({ oauth2IntrospectionUrl: authServer.introspectionUrl });
  // Every user up front: Dovecot may not see a passwd-file written again within the same second.
  for (const kind of testDatabaseKinds()) {
    for (const name of ['refresh', 'early', 'revoked', 'burst']) {
      await dovecot.addUser(`${name}-${kind}@outlook.com`, 'seed-only-password');
    }
    await dovecot.addUser(`pw-${kind}@example.test`, 'right-password');
  }
  Object.assign(process.env, authServer.env({ microsoft: `imap://127.0.0.1:${dovecot.port}` }));
  resetConfigForTests();
}, 30_000);

afterAll(async () => {
  process.env = savedEnv;
  resetConfigForTests();
  await Promise.all([dovecot?.stop(), authServer?.stop()]);
});

describe.each(testDatabaseKinds())('OAuth2 sources on %s', (kind) => {
  let database: TestDatabase;
  let queue: Awaited<ReturnType<typeof openJobQueue>>;
  let developerId: string;
  let providerId: string;
  const clientId = testClientId();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    // The status callback is queued as a delivery job.
    queue = await openJobQueue(database, { supervise: false });
    ({ developerId } = await createDeveloperKey(database.db, { email: `oauth-${kind}@example.com`, appName: 'OAuth' }));
    authServer.registerClient(clientId, 'client-secret-for-tests');
    await createOAuthProvider(
      database.db,
      developerId,
      { type: 'MSLIVECONNECT', provider_consumer_key: clientId, provider_consumer_secret: 'client-secret-for-tests' },
      new Date(),
    );
    const row = await database.db.oAuthProvider.findFirstOrThrow({ where: { developerId }, select: { id: true } });
    providerId = row.id;
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  /** A Microsoft-style mailbox whose stored access token has already lapsed (at the server too). */
  async function expiredOAuthSource(email: string, tokenOptions: Record<string, string> = {}) {
    await dovecot.appendMessage(
      email,
      'INBOX',
      buildMessage({
        messageId: `<${email}.1@test>`,
        from: 'a@example.org',
        to: email,
        subject: 'Hello',
        text: 'Hi',
        date: new Date('2024-05-01T10:00:00Z'),
      }),
    );
    const grant = authServer.issueGrant('microsoft', clientId, email);
    authServer.expireAccessTokens(email);
    return connectLocalMailbox(
      database.db,
      developerId,
      {
        email,
        port: dovecot.port,
        oauth: { providerId, ...grant, accessTokenExpiresAt: new Date(Date.now() - 60_000) },
      },
      tokenOptions,
    );
  }

  const syncOptions = {
    openSession: (login: Parameters<typeof openMailboxSession>[0]) =>
      openMailboxSession(login, { allowPrivateHosts: true }),
    now: () => new Date(),
    budgetMs: 60_000,
    isLastAttempt: false,
  };

  it('a sync refreshes the expired access token, stores the rotated refresh token, and imports mail', async () => {
    const email = `refresh-${kind}@outlook.com`;
    const source = await expiredOAuthSource(email);
    const before = await database.db.source.findUniqueOrThrow({
      where: { id: source.sourceId },
      select: sourceLoginSelect,
    });
    const refreshesBefore = authServer.stats().refreshes;

    const result = await runSourceSync(database.db, source.sourceId, syncOptions);
    expect(result).toMatchObject({ outcome: 'done', messagesStored: 1 });
    expect(authServer.stats().refreshes).toBe(refreshesBefore + 1);

    const after = await database.db.source.findUniqueOrThrow({
      where: { id: source.sourceId },
      select: { ...sourceLoginSelect, status: true },
    });
    expect(after.status).toBe('OK');
    expect(after.credentialCiphertext).not.toBe(before.credentialCiphertext);
    expect(after.accessTokenCiphertext).not.toBe(before.accessTokenCiphertext);
    expect(after.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
    // Nothing readable at rest: the sealed values carry no token text.
    expect(`${after.credentialCiphertext}${after.accessTokenCiphertext}`).not.toMatch(/rt\.|at\./);

    // The fresh token is used as it is, without another refresh.
    const again = await loginForSource(database.db, after, new Date());
    expect(again.ok && again.login.accessToken).toBeTruthy();
    expect(authServer.stats().refreshes).toBe(refreshesBefore + 1);
  });

  it('an access token the server refuses before its recorded expiry is refreshed once and the sync goes on', async () => {
    const email = `early-${kind}@outlook.com`;
    const source = await expiredOAuthSource(email);
    // The record says the token is good for an hour; the server has already dropped it.
    await database.db.source.update({
      where: { id: source.sourceId },
      data: { accessTokenExpiresAt: new Date(Date.now() + 3600_000) },
    });
    const refreshesBefore = authServer.stats().refreshes;
    expect(await runSourceSync(database.db, source.sourceId, syncOptions)).toMatchObject({ outcome: 'done' });
    expect(authServer.stats().refreshes).toBe(refreshesBefore + 1);
  });

  it('a revoked grant sets INVALID_CREDENTIALS and queues the status callback', async () => {
    const email = `revoked-${kind}@outlook.com`;
    const source = await expiredOAuthSource(email, { status_callback_url: 'https://partner.example.com/status' });
    authServer.revokeUser(email);

    const result = await runSourceSync(database.db, source.sourceId, syncOptions);
    expect(result).toEqual({ outcome: 'failed', reason: 'auth_failed' });
    const row = await database.db.source.findUniqueOrThrow({
      where: { id: source.sourceId },
      select: { status: true, statusMessage: true },
    });
    expect(row.status).toBe('INVALID_CREDENTIALS');
    expect(row.statusMessage).toContain('re-connect');
    const callbacks = await database.db.callbackDelivery.findMany({
      where: { sourceId: source.sourceId },
      select: { event: true, url: true, body: true },
    });
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({ event: 'status_changed', url: 'https://partner.example.com/status' });
    expect(callbacks[0]?.body).toMatchObject({ status: 'INVALID_CREDENTIALS' });
  });

  it('many logins at once on an expired token share one refresh and all get a working token', async () => {
    const email = `burst-${kind}@outlook.com`;
    const source = await expiredOAuthSource(email);
    const row = await database.db.source.findUniqueOrThrow({
      where: { id: source.sourceId },
      select: sourceLoginSelect,
    });
    const before = authServer.stats();
    const logins = await Promise.all(Array.from({ length: 12 }, () => loginForSource(database.db, row, new Date())));
    expect(logins.every((login) => login.ok)).toBe(true);
    // One request to the token endpoint in all: a second would present the rotated-away refresh token.
    expect(authServer.stats().tokenRequests).toBe(before.tokenRequests + 1);
    expect(authServer.stats().refreshes).toBe(before.refreshes + 1);
    const status = await database.db.source.findUniqueOrThrow({
      where: { id: source.sourceId },
      select: { status: true },
    });
    expect(status.status).toBe('OK');
  });

  describe('server-side sources', () => {
    const deps = (): AddSourceDeps => ({
      verify: (login) => verifyImapLogin(login, { allowPrivateHosts: true }),
      callbackHosts: { allowPrivateHosts: true },
      startSync: async () => {},
      now: new Date(),
    });
    const input = (fields: Record<string, string>) => createSourceInput.parse(fields);

    it('a refresh token of a known provider is checked by a real XOAUTH2 login, then stored as oauth2', async () => {
      const email = `server-side-${kind}@outlook.com`;
      const { refreshToken } = authServer.issueGrant('microsoft', clientId, email);
      const added = await addServerSideSource(
        database.db,
        developerId,
        { kind: 'new_account', firstName: 'Sam', lastName: '' },
        input({ email, provider_refresh_token: refreshToken, provider_consumer_key: clientId }),
        deps(),
      );
      if (!added.ok) throw new Error(JSON.stringify(added));
      expect(added.label).toBe(`server-side-${kind}::outlook`);
      const row = await database.db.source.findUniqueOrThrow({
        where: { id: added.sourceId },
        select: { authenticationType: true, server: true, port: true, status: true },
      });
      expect(row).toEqual({ authenticationType: 'oauth2', server: '127.0.0.1', port: dovecot.port, status: 'OK' });

      // Twice the same mailbox on one account: refused, not a second row.
      const account = (await findAccount(database.db, developerId, added.accountId))!;
      const { refreshToken: second } = authServer.issueGrant('microsoft', clientId, email);
      const again = await addServerSideSource(
        database.db,
        developerId,
        { kind: 'account', account },
        input({ email, provider_refresh_token: second, provider_consumer_key: clientId }),
        deps(),
      );
      expect(again).toEqual({ ok: false, reason: 'mailbox_already_attached' });
    });

    it('an unknown provider key, a revoked token and a wrong password store nothing', async () => {
      const email = `refused-${kind}@outlook.com`;
      const target = { kind: 'new_account' as const, firstName: '', lastName: '' };
      const { refreshToken } = authServer.issueGrant('microsoft', clientId, email);
      expect(
        await addServerSideSource(
          database.db,
          developerId,
          target,
          input({ email, provider_refresh_token: refreshToken, provider_consumer_key: 'not-mine' }),
          deps(),
        ),
      ).toEqual({ ok: false, reason: 'oauth_provider_unknown', consumerKey: 'not-mine' });
      authServer.revokeUser(email);
      expect(
        await addServerSideSource(
          database.db,
          developerId,
          target,
          input({ email, provider_refresh_token: refreshToken, provider_consumer_key: clientId }),
          deps(),
        ),
      ).toMatchObject({ ok: false, reason: 'source_check_failed', feedbackCode: 'oauth_invalid_grant' });
      expect(
        await addServerSideSource(
          database.db,
          developerId,
          target,
          input({
            email: `pw-${kind}@example.test`,
            server: '127.0.0.1',
            port: String(dovecot.port),
            use_ssl: '0',
            password: 'wrong-password',
          }),
          deps(),
        ),
      ).toMatchObject({ ok: false, reason: 'source_check_failed', feedbackCode: 'auth_failed' });
      expect(await database.db.source.count({ where: { email: { in: [email, `pw-${kind}@example.test`] } } })).toBe(0);
    });
  });
});
