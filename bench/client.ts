import { createHmac } from 'node:crypto';
import type { Request as AutocannonRequest } from 'autocannon';
import OAuth from 'oauth-1.0a';
import type { BenchMailbox } from './mailbox';

/**
 * The bench's side of the API: what a scenario is, and signed requests (OAuth
 * 1.0a, HMAC-SHA1, as Context.IO's clients sign) for autocannon and for set-up.
 * bench/scenarios.ts and bench/endpoints.ts hold the scenarios themselves.
 */

export interface BenchContext {
  baseUrl: string;
  credentials: { key: string; secret: string } | null;
  /** The app's PostgreSQL database, for scenarios that seed it directly; absent on the embedded one. */
  databaseUrl?: string;
  /** The bench mailbox (bench/mailbox.ts), connected and synced on first use; absent outside `npm run bench`. */
  mailbox?: () => Promise<BenchMailbox>;
}

export interface Scenario<State = unknown> {
  name: string;
  /**
   * The /2.0 routes it sends, as `METHOD /2.0/path/{param}` (API_ROUTES' method and path):
   * bench/endpoints.ts checks that every route is measured or says why not.
   */
  routes?: readonly string[];
  /** The trivial handler every other scenario is a ratio of; always runs, whatever --filter says. */
  baseline?: boolean;
  /** Skipped (with a warning) when no API key could be created. */
  needsKey?: boolean;
  /** Skipped on the embedded database (its setup writes to PostgreSQL directly). */
  needsPostgres?: boolean;
  /** Reads or writes the bench mailbox (context.mailbox); skipped when no local Dovecot could start. */
  needsMailbox?: boolean;
  /** The status every response should have (each of them, for a create + delete pair); any other is a "bad status". */
  expectStatus: number | readonly number[];
  /** What the figure includes that its name does not say (e.g. each request reads Dovecot). */
  note?: string;
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
export function signed(
  context: BenchContext,
  method: string,
  path: string,
  form?: Record<string, string>,
): AutocannonRequest {
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

/** What one autocannon connection keeps between the requests of a pass; cleared when the pass starts over. */
export type PassState = Record<string, unknown>;

/**
 * A signed request built afresh for every send from the connection's pass state: a delete
 * after a create names what the create answered (`keep` stores it). `build` answering null
 * (the create failed, so there is nothing to delete) starts the pass over.
 */
export function signedStep(
  context: BenchContext,
  method: 'GET' | 'POST' | 'DELETE',
  build: (state: PassState) => { path: string; form?: Record<string, string> } | null,
  keep?: (body: Record<string, unknown>, state: PassState) => void,
): AutocannonRequest {
  const oauth = oauthFor(context);
  return {
    method,
    setupRequest: (request, state) => {
      const built = build(state as PassState);
      // autocannon's contract: a falsy request restarts the pass from its first request.
      if (!built) return null as unknown as AutocannonRequest;
      const body = built.form ? new URLSearchParams(built.form).toString() : '';
      const authorization = oauth.authorize({ url: `${context.baseUrl}${built.path}`, method, data: built.form });
      return {
        ...request,
        path: built.path,
        body,
        headers: {
          ...request.headers,
          authorization: oauth.toHeader(authorization).Authorization,
          ...(built.form && { 'content-type': 'application/x-www-form-urlencoded' }),
        },
      };
    },
    ...(keep && {
      onResponse: (status: number, body: string, state: object) => {
        if (status >= 300) return;
        try {
          keep(JSON.parse(body) as Record<string, unknown>, state as PassState);
        } catch {
          // Not JSON: nothing to keep; the next step finds no id and starts the pass over.
        }
      },
    }),
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
