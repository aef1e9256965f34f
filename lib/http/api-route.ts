import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { findAccount, type OwnedAccount } from '@/lib/accounts/data';
import { currentTime } from '@/lib/clock';
import { type Db, getDb } from '@/lib/db/client';
import { ApiKeyLimitedError, type NonceClaim, NonceReplayedError } from '@/lib/developers/mutations';
import { getConfig } from '@/lib/env';
import { findSource, type OwnedSource } from '@/lib/sources/data';
import { describeZodError } from '@/lib/validation/zod-errors';
import { authenticateRequest } from './authenticate';
import type { RouteContract, RouteScope } from './contract';
import { ApiError, unauthorized } from './errors';
import { type DomainReason, errorForFailure, type FailureOf, isDomainFailure } from './reasons';
import { assertStorableInput, parseRequest } from './request';
import { errorBody, errorResponse, jsonResponse, type StreamBody, streamResponse } from './respond';

/** The owned rows the route's scope proved: looked up once per request, here. */
type ScopeRows<Scope extends RouteScope> = Scope extends 'source'
  ? { source: OwnedSource }
  : Scope extends 'account'
    ? { account: OwnedAccount }
    : Record<never, never>;

/** What every /2.0 handler receives: the authenticated developer, validated input, owned rows. */
export type ApiContext<Params, Input, Scope extends RouteScope = 'developer'> = {
  developerId: string;
  params: Params;
  input: Input;
  db: Db;
  /** The domain's clock (see lib/clock.ts). */
  now: Date;
  /** Public base URL, for resource_url and browser_redirect_url. */
  baseUrl: string;
  /**
   * The request's OAuth nonce. Settled before the handler runs unless the route
   * folds it (apiRoute's `foldsNonce`): then the handler passes it to the data
   * function whose statement records it along with its read.
   */
  nonce: NonceClaim;
} & ScopeRows<Scope>;

/**
 * A handler answers its contract's output (with its declared status), a stream
 * (routes whose contract declares `output.streams`), or a declared domain failure.
 */
export type ApiHandler<Params, Input, Output, Reason extends DomainReason, Scope extends RouteScope> = (
  context: ApiContext<Params, Input, Scope>,
) => Promise<{ body: Output } | { stream: StreamBody } | { alternative: unknown } | FailureOf<Reason>>;

type NextRouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

/** A Next.js route handler that carries its contract (a test checks each route.ts serves its own). */
export type ApiRouteHandler = ((request: Request, routeContext: NextRouteContext) => Promise<Response>) & {
  readonly contract: RouteContract;
};

/** The one ownership lookup of a request: another developer's row is as missing as an unknown one. */
async function lookUpScope(
  db: Db,
  scope: RouteScope,
  developerId: string,
  params: { id?: string; label?: string },
): Promise<Record<string, unknown> | FailureOf<'account_not_found' | 'source_not_found'>> {
  if (scope === 'developer') return {};
  const accountId = params.id ?? '';
  if (scope === 'account') {
    const account = await findAccount(db, developerId, accountId);
    return account ? { account } : { ok: false, reason: 'account_not_found' };
  }
  const source = await findSource(db, developerId, accountId, params.label ?? '');
  if (source) return { source };
  // Only on a miss: name the account when it is the account that is missing.
  return (await findAccount(db, developerId, accountId))
    ? { ok: false, reason: 'source_not_found' }
    : { ok: false, reason: 'account_not_found' };
}

export interface ApiRouteOptions {
  /**
   * The handler's first statement records the nonce (NonceClaim.cte) instead of
   * a statement of its own before it: one database round trip less. Only for
   * handlers that change nothing before that statement; the wrapper records
   * whatever the handler left unsettled before it answers.
   */
  foldsNonce?: boolean;
}

/**
 * The one wrapper for every /2.0 route: parse the body, verify OAuth 1.0a,
 * validate params and input by the contract, look up its scope, run the
 * handler, map failures (reasons.ts) and errors.
 */
export function apiRoute<
  Params extends z.ZodObject,
  Input extends z.ZodObject,
  Output extends z.ZodType,
  Reason extends DomainReason,
  Scope extends RouteScope,
>(
  contract: RouteContract<Params, Input, Output, Reason, Scope>,
  handler: ApiHandler<z.output<Params>, z.output<Input>, z.input<Output>, Reason, Scope>,
  options: ApiRouteOptions = {},
): ApiRouteHandler {
  const route = async (request: Request, routeContext: NextRouteContext): Promise<Response> => {
    const requestId = randomBytes(6).toString('hex');
    let db: Db | undefined;
    let nonce: NonceClaim | undefined;
    try {
      const config = getConfig();
      db = await getDb();
      const parsed = await parseRequest(request);
      const authenticated = await authenticateRequest(db, request, parsed.formBody, new Date());
      const { developerId } = authenticated;
      nonce = authenticated.nonce;
      if (!options.foldsNonce) await nonce.settle(db);
      const now = currentTime();

      const rawParams = (await routeContext?.params) ?? {};
      assertStorableInput(rawParams, 'path');
      const params = contract.params.safeParse(rawParams);
      // A malformed id in the path is an unknown resource, never a 400 that confirms the shape.
      if (!params.success) throw new ApiError('not_found', describeZodError(params.error, 'path', rawParams));
      const input = contract.input.safeParse(parsed.input);
      if (!input.success) throw new ApiError('bad_request', describeZodError(input.error, 'parameter', parsed.input));

      const pathValues = params.data as Record<string, unknown>;
      const rows = await lookUpScope(db, contract.scope, developerId, pathValues as { id?: string; label?: string });
      if (isDomainFailure(rows)) throw errorForFailure(rows, pathValues);

      const context = {
        developerId,
        params: params.data,
        input: input.data,
        db,
        now,
        baseUrl: config.publicUrl,
        nonce,
        ...rows,
      } as ApiContext<z.output<Params>, z.output<Input>, Scope>;
      const result = await handler(context);
      await nonce.settle(db); // a no-op unless the route folds it and its handler did not get to it
      if (isDomainFailure(result)) throw errorForFailure(result, pathValues);
      if ('alternative' in result) {
        const alternative = contract.output.alternative;
        if (!alternative) throw new Error(`${contract.method} ${contract.path} answered an undeclared alternative`);
        return jsonResponse(alternative.schema.parse(result.alternative), alternative.status);
      }
      if ('stream' in result) {
        if (!contract.output.streams) throw new Error(`${contract.method} ${contract.path} streamed undeclared`);
        return streamResponse(result.stream, contract.output.status, request.signal);
      }
      return jsonResponse(result.body, contract.output.status);
    } catch (error) {
      return errorResponse(await replayOr(error, db, nonce), requestId);
    }
  };
  return Object.assign(route, { contract: contract as unknown as RouteContract });
}

/**
 * What a failed request answers: a replay is a 401 and a request over its key's
 * limit a 429, whatever else failed (as when the nonce is recorded first), so an
 * unsettled nonce is settled here too.
 */
async function replayOr(error: unknown, db: Db | undefined, nonce: NonceClaim | undefined): Promise<unknown> {
  const refusal = (candidate: unknown) =>
    candidate instanceof NonceReplayedError || candidate instanceof ApiKeyLimitedError;
  try {
    if (!refusal(error) && db && nonce && !nonce.isSettled) await nonce.settle(db);
  } catch (settling) {
    if (!refusal(settling)) return error;
    error = settling;
  }
  if (error instanceof NonceReplayedError) return unauthorized(error.message);
  if (error instanceof ApiKeyLimitedError) {
    return new ApiError('too_many_requests', error.message, { 'retry-after': String(error.retryAfterSeconds) });
  }
  return error;
}

const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** What a resource serves, from its contract module's exports (or a plain list): the `Allow` header's value. */
function allowHeaderFor(served: Readonly<Record<string, unknown>> | readonly string[]): string {
  const methods = new Set<string>(Array.isArray(served) ? served : Object.keys(served));
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  return METHOD_ORDER.filter((method) => methods.has(method)).join(', ');
}

/** For the methods a /2.0 resource does not support: Context.IO's error shape with an accurate `Allow`. */
export function methodNotAllowed(served: Readonly<Record<string, unknown>> | readonly string[]) {
  const allow = allowHeaderFor(served);
  return async (request: Request): Promise<Response> =>
    jsonResponse(errorBody(`${request.method} is not supported on this resource`), 405, { allow });
}

/** OPTIONS on a /2.0 resource: what it really serves (Next.js's own answer would list the 405 stubs too). */
export function optionsForResource(served: Readonly<Record<string, unknown>> | readonly string[]) {
  const allow = allowHeaderFor(served);
  return async (): Promise<Response> => new Response(null, { status: 204, headers: { allow } });
}
