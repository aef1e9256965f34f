import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as accountTokens from '@/app/2.0/accounts/[id]/connect_tokens/route';
import * as sourceToken from '@/app/2.0/accounts/[id]/sources/[label]/connect_tokens/[token]/route';
import * as sourceTokens from '@/app/2.0/accounts/[id]/sources/[label]/connect_tokens/route';
import * as topToken from '@/app/2.0/connect_tokens/[token]/route';
import * as topTokens from '@/app/2.0/connect_tokens/route';
import { redeemConnectToken } from '@/lib/connect-tokens/mutations';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { useDatabaseForTesting } from '@/lib/db/client';
import { PrismaClient } from '@/lib/db/generated/client';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { forgetCachedCredentials } from '@/lib/developers/data';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { getConfig } from '@/lib/env';

/**
 * What one API request costs in SQL statements, counted on the real route
 * handler (OAuth, scope lookup, domain call) through Prisma's query events.
 * A source-level token create is 3: the owned source lookup, the developer's
 * callback policy read together with the nonce insert (issue 14), the insert.
 * A signed token get or list is 1: the nonce insert and the read in one
 * statement. A key whose secret is not cached (at most once per 30 s per key)
 * adds its lookup.
 */

async function countingClient(database: TestDatabase): Promise<{ db: PrismaClient; statements: string[] }> {
  const statements: string[] = [];
  const log = [{ emit: 'event', level: 'query' }] as const;
  let db: PrismaClient<'query'>;
  if (database.target.kind === 'pglite') {
    const { PrismaPGlite } = await import('pglite-prisma-adapter');
    db = new PrismaClient({ adapter: new PrismaPGlite(database.target.pglite), log: [...log] });
  } else {
    const { PrismaPg } = await import('@prisma/adapter-pg');
    db = new PrismaClient({
      adapter: new PrismaPg({ connectionString: database.target.connectionString }),
      log: [...log],
    });
  }
  db.$on('query', (event) => statements.push(event.query));
  return { db, statements };
}

describe.each(testDatabaseKinds())('API request cost on %s', (kind) => {
  let database: TestDatabase;
  let counted: { db: PrismaClient; statements: string[] };
  let key: { developerId: string; key: string; secret: string };
  let source: { accountId: string; sourceLabel: string };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    counted = await countingClient(database);
    useDatabaseForTesting(counted.db, database.target);
    key = await createDeveloperKey(database.db, { email: `cost-${kind}@example.com`, appName: 'Cost' });
    const connected = await connectLocalMailbox(database.db, key.developerId, {
      email: 'jane@example.com',
      password: 'x',
      port: 993,
    });
    source = connected;
  });
  afterAll(async () => {
    await counted?.db.$disconnect();
    await database?.close();
  });

  type RouteHandler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

  /**
   * A request signed once, as a Context.IO client signs it: each call sends it
   * again with the same nonce, so the second call is a replay.
   */
  function signedOnce(method: 'GET' | 'POST', path: string, form?: Record<string, string>) {
    const url = `${getConfig().publicUrl}${path}`;
    const oauth = new OAuth({
      consumer: { key: key.key, secret: key.secret },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, secret) => createHmac('sha1', secret).update(base).digest('base64'),
    });
    const authorization = oauth.toHeader(oauth.authorize({ url, method, data: form })).Authorization;
    return (handler: RouteHandler, params: Record<string, string> = {}) =>
      handler(
        new Request(url, {
          method,
          headers: form ? { authorization, 'content-type': 'application/x-www-form-urlencoded' } : { authorization },
          body: form ? new URLSearchParams(form).toString() : undefined,
        }),
        { params: Promise.resolve(params) },
      );
  }

  /** A signed form POST through the route handler, as a Context.IO client sends it. */
  function post(handler: RouteHandler, path: string, params: Record<string, string>, form: Record<string, string>) {
    return signedOnce('POST', path, form)(handler, params);
  }

  const sourcePath = () =>
    `/2.0/accounts/${source.accountId}/sources/${encodeURIComponent(source.sourceLabel)}/connect_tokens`;
  const createAtSource = () =>
    post(
      sourceTokens.POST,
      sourcePath(),
      { id: source.accountId, label: source.sourceLabel },
      { callback_url: 'https://partner.example.com/again' },
    );
  const authStatements = (statements: string[]) =>
    statements.filter((sql) => /\boauth_nonces\b|\bapi_keys\b/.test(sql)).length;

  it('creates a source-level token in 3 statements with a cached key, the nonce recorded with the policy read', async () => {
    expect((await createAtSource()).status).toBe(201); // warms the key cache
    counted.statements.length = 0;
    const response = await createAtSource();
    expect(response.status).toBe(201);
    const body = (await response.json()) as { token: string };
    expect(body.token).toMatch(/^[0-9a-z]{16}$/);
    // Precisely: the owned source lookup; the nonce insert with the developer's callback policy; the token insert.
    expect(counted.statements).toHaveLength(3);
    expect(counted.statements[1]).toMatch(/INSERT INTO oauth_nonces[\s\S]*callback_url_prefixes/);
    expect(authStatements(counted.statements)).toBe(1);
    // The token really is the source's: it can be used to re-connect that very source.
    const redeemed = await redeemConnectToken(
      database.db,
      body.token,
      {
        mailbox: {
          email: 'jane@example.com',
          server: '127.0.0.1',
          port: 993,
          tlsMode: 'NONE',
          username: 'jane@example.com',
          authenticationType: 'password',
          secret: 'new',
        },
      },
      new Date(),
    );
    expect(redeemed).toMatchObject({ ok: true, accountId: source.accountId, sourceLabel: source.sourceLabel });
  });

  it('adds only the key lookup when the secret is not cached', async () => {
    forgetCachedCredentials();
    counted.statements.length = 0;
    expect((await createAtSource()).status).toBe(201);
    expect(authStatements(counted.statements)).toBe(2);
    expect(counted.statements).toHaveLength(4);
  });

  it('an account-level create costs the same; a miss is one lookup and a 404', async () => {
    const create = (accountId: string) =>
      post(
        accountTokens.POST,
        `/2.0/accounts/${accountId}/connect_tokens`,
        { id: accountId },
        { callback_url: 'https://partner.example.com/second' },
      );
    await create(source.accountId);
    counted.statements.length = 0;
    expect((await create(source.accountId)).status).toBe(201);
    expect(counted.statements).toHaveLength(3);

    counted.statements.length = 0;
    const missing = await create('0123456789abcdef01234567');
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ type: 'error', value: 'account 0123456789abcdef01234567 is invalid' });
    // The account lookup, then the nonce on its own: the handler that would have carried it never ran.
    expect(counted.statements).toHaveLength(2);
    expect(authStatements(counted.statements)).toBe(1);
  });

  it('a signed token get and a list are one statement each: the nonce insert and the read together', async () => {
    const created = (await (await createAtSource()).json()) as { token: string };
    const itemPath = `${sourcePath()}/${created.token}`;
    const params = { id: source.accountId, label: source.sourceLabel, token: created.token };
    counted.statements.length = 0;
    const get = signedOnce('GET', itemPath);
    const got = await get(sourceToken.GET, params);
    expect(got.status).toBe(200);
    expect(((await got.json()) as { token: string }).token).toBe(created.token);
    // The owned source lookup (the route's scope), then one statement for the nonce and the token.
    expect(counted.statements).toHaveLength(2);
    expect(counted.statements[1]).toMatch(/INSERT INTO oauth_nonces[\s\S]*FROM connect_tokens/);

    counted.statements.length = 0;
    const list = signedOnce('GET', `/2.0/connect_tokens`);
    expect((await list(topTokens.GET)).status).toBe(200);
    // One statement for the nonce and the page; the top-level token connectLocalMailbox used adds its account's read.
    expect(counted.statements[0]).toMatch(/INSERT INTO oauth_nonces[\s\S]*FROM connect_tokens/);
    expect(counted.statements.slice(1).every((sql) => /FROM "public"\."accounts"/.test(sql))).toBe(true);
    expect(counted.statements.length).toBeLessThanOrEqual(2);

    // Replays: refused with 401 even though the statement that refuses them also read the tokens.
    for (const replay of [await get(sourceToken.GET, params), await list(topTokens.GET)]) {
      expect(replay.status).toBe(401);
      expect(await replay.json()).toEqual({
        type: 'error',
        value: 'oauth_nonce has already been used: every request needs a fresh nonce',
      });
    }
  });

  it('a replayed create creates nothing; an unknown token is a 404 whose replay is a 401', async () => {
    const tokensBefore = await database.db.connectToken.count();
    const create = signedOnce('POST', '/2.0/connect_tokens', { callback_url: 'https://partner.example.com/once' });
    expect((await create(topTokens.POST)).status).toBe(201);
    const replay = await create(topTokens.POST);
    expect(replay.status).toBe(401);
    expect(await database.db.connectToken.count()).toBe(tokensBefore + 1);

    const unknown = signedOnce('GET', '/2.0/connect_tokens/0123456789abcdef');
    const missing = await unknown(topToken.GET, { token: '0123456789abcdef' });
    expect(missing.status).toBe(404);
    expect((await unknown(topToken.GET, { token: '0123456789abcdef' })).status).toBe(401);
  });

  it('replays stay refused with many requests in flight at once: exactly one of each nonce passes', async () => {
    const gets = Array.from({ length: 8 }, () => signedOnce('GET', '/2.0/connect_tokens'));
    const creates = Array.from({ length: 8 }, (_, i) =>
      signedOnce('POST', '/2.0/connect_tokens', { callback_url: `https://partner.example.com/burst-${i}` }),
    );
    const tokensBefore = await database.db.connectToken.count();
    // Every signed request sent four times at once: 64 requests in flight.
    const responses = await Promise.all([
      ...gets.flatMap((get) => Array.from({ length: 4 }, () => get(topTokens.GET))),
      ...creates.flatMap((create) => Array.from({ length: 4 }, () => create(topTokens.POST))),
    ]);
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(8);
    expect(statuses.filter((status) => status === 201)).toHaveLength(8);
    expect(statuses.filter((status) => status === 401)).toHaveLength(48);
    expect(await database.db.connectToken.count()).toBe(tokensBefore + 8);
  });

  it("answers 429 with Retry-After in Context.IO's format past the key's per-minute limit, exactly at the limit under a burst", async () => {
    const config = getConfig();
    const configured = config.apiRateLimitPerMinute;
    config.apiRateLimitPerMinute = 12;
    try {
      await database.db.rateLimitCounter.deleteMany();
      const tokensBefore = await database.db.connectToken.count();
      const responses = await Promise.all(Array.from({ length: 40 }, () => createAtSource()));
      const statuses = responses.map((response) => response.status);
      expect(statuses.filter((status) => status === 201)).toHaveLength(12);
      expect(statuses.filter((status) => status === 429)).toHaveLength(28);
      const refused = responses.find((response) => response.status === 429);
      expect(refused?.headers.get('content-type')).toBe('application/json');
      expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(refused?.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(await refused?.json()).toEqual({
        type: 'error',
        value: expect.stringMatching(/^this API key made more than 12 requests in a minute; retry in \d+ s$/),
      });
      // A refused request did nothing: only the admitted ones created tokens.
      expect((await database.db.connectToken.count()) - tokensBefore).toBe(12);
    } finally {
      config.apiRateLimitPerMinute = configured;
    }
  });
});
