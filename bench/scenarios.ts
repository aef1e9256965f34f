import { createHmac } from 'node:crypto';
import type { Request as AutocannonRequest } from 'autocannon';
import OAuth from 'oauth-1.0a';
import { messageAccounts } from './messages';

/**
 * What `npm run bench` measures. The baseline scenario is a trivial route
 * handler; every other one is reported as a ratio to it, measured in the same
 * app on the same database (framework overhead dominates cheap handlers).
 */

export interface BenchContext {
  baseUrl: string;
  credentials: { key: string; secret: string } | null;
  /** The app's PostgreSQL database, for scenarios that seed it directly; absent on the embedded one. */
  databaseUrl?: string;
}

export interface Scenario<State = unknown> {
  name: string;
  /** The trivial handler every other scenario is a ratio of; always runs, whatever --filter says. */
  baseline?: boolean;
  /** Skipped (with a warning) when no API key could be created. */
  needsKey?: boolean;
  /** Skipped on the embedded database (its setup writes to PostgreSQL directly). */
  needsPostgres?: boolean;
  /** The status every response should have; any other is counted as "bad status". */
  expectStatus: number;
  /** What the issue asks of it, printed beside the result. */
  target?: string;
  /** Fixtures, created once before the warm-up; its result is passed to request(). */
  setup?: (context: BenchContext) => Promise<State>;
  /**
   * What autocannon sends: one request, or several sent in turn. A request's
   * `setupRequest` runs before each send, e.g. to sign it with a fresh nonce.
   */
  request: (context: BenchContext, state: State) => AutocannonRequest | AutocannonRequest[];
}

export function oauthFor(context: BenchContext): OAuth {
  if (!context.credentials) throw new Error('this scenario needs an API key');
  return new OAuth({
    consumer: { key: context.credentials.key, secret: context.credentials.secret },
    signature_method: 'HMAC-SHA1',
    hash_function: (text, key) => createHmac('sha1', key).update(text).digest('base64'),
  });
}

/** A request signed afresh (new nonce and timestamp) every time autocannon sends it. */
function signed(context: BenchContext, method: string, path: string, form?: Record<string, string>): AutocannonRequest {
  const oauth = oauthFor(context);
  const body = form ? new URLSearchParams(form).toString() : undefined;
  return {
    method: method as AutocannonRequest['method'],
    path,
    ...(body && { body }),
    setupRequest: (request) => {
      const authorization = oauth.authorize({ url: `${context.baseUrl}${path}`, method, data: form });
      return {
        ...request,
        headers: {
          ...request.headers,
          authorization: oauth.toHeader(authorization).Authorization,
          ...(body && { 'content-type': 'application/x-www-form-urlencoded' }),
        },
      };
    },
  };
}

/** One signed request, sent at once. */
export function signedFetch(
  context: BenchContext,
  method: string,
  path: string,
  form?: Record<string, string>,
): Promise<Response> {
  const oauth = oauthFor(context);
  const authorization = oauth.authorize({ url: `${context.baseUrl}${path}`, method, data: form });
  return fetch(`${context.baseUrl}${path}`, {
    method,
    headers: {
      authorization: oauth.toHeader(authorization).Authorization,
      ...(form && { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
  });
}

/** Signed calls made once, outside the measurement (fixtures). */
export async function call(context: BenchContext, method: string, path: string, form?: Record<string, string>) {
  const response = await signedFetch(context, method, path, form);
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

const TOKEN_FORM = { callback_url: 'https://partner.example.com/connected', email: 'jane@example.com' };

// biome-ignore lint/suspicious/noExplicitAny: each scenario carries its own setup state type.
export const scenarios: Scenario<any>[] = [
  {
    name: 'baseline: GET /livez (trivial route handler)',
    baseline: true,
    expectStatus: 200,
    request: () => ({ method: 'GET', path: '/livez' }),
  },
  {
    name: 'token get: GET /2.0/connect_tokens/:token',
    needsKey: true,
    expectStatus: 200,
    target: 'PostgreSQL: ≥ 0.7×, p99 ≤ 50 ms',
    setup: async (context) => (await call(context, 'POST', '/2.0/connect_tokens', TOKEN_FORM)).token as string,
    request: (context, token: string) => signed(context, 'GET', `/2.0/connect_tokens/${token}`),
  },
  {
    name: 'token list: GET /2.0/connect_tokens (25 tokens)',
    needsKey: true,
    expectStatus: 200,
    target: 'p99 ≤ 50 ms',
    setup: async (context) => {
      const existing = (await call(context, 'GET', '/2.0/connect_tokens')) as unknown[];
      for (let i = existing.length; i < 25; i++) await call(context, 'POST', '/2.0/connect_tokens', TOKEN_FORM);
    },
    request: (context) => signed(context, 'GET', '/2.0/connect_tokens?limit=25'),
  },
  {
    name: 'token create: POST /2.0/connect_tokens',
    needsKey: true,
    expectStatus: 201,
    target: 'PostgreSQL: ≥ 0.5×, p99 ≤ 50 ms',
    request: (context) => signed(context, 'POST', '/2.0/connect_tokens', TOKEN_FORM),
  },
  {
    name: 'messages list: GET …/messages?limit=20 (50 accounts × 10,000)',
    needsKey: true,
    needsPostgres: true,
    expectStatus: 200,
    target: 'PostgreSQL: ≥ 0.5×',
    setup: (context) => messageAccounts(context),
    // One request per account, in turn.
    request: (context, accounts: string[]) =>
      accounts.map((id) => signed(context, 'GET', `/2.0/accounts/${id}/messages?limit=20`)),
  },
];
