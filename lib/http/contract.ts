import { z } from 'zod';
import type { DomainReason } from './reasons';

/**
 * A /2.0 route's contract, declared once in the `contract.ts` beside its
 * `route.ts`: the wrapper (api-route.ts) parses and scopes by it, the OpenAPI
 * document (openapi.ts) is generated from it, and the e2e suite checks every
 * response against its output schema. Free of Prisma, so tests can import it.
 */

export type HttpMethod = 'GET' | 'POST' | 'DELETE';
export type ApiTag =
  | 'Connect tokens'
  | 'Accounts'
  | 'Sources'
  | 'Messages'
  | 'Threads'
  | 'Files'
  | 'Webhooks'
  | 'Discovery'
  | 'OAuth providers';
export const API_TAGS: readonly ApiTag[] = [
  'Connect tokens',
  'Accounts',
  'Sources',
  'Messages',
  'Threads',
  'Files',
  'Webhooks',
  'Discovery',
  'OAuth providers',
];

/**
 * What the wrapper looks up, once, as the authenticated developer's own before
 * the handler runs: nothing more, the account `{id}`, or its source `{label}`.
 * A miss is a 404 (account_not_found / source_not_found) like any other.
 */
export type RouteScope = 'developer' | 'account' | 'source';

export interface RouteContract<
  Params extends z.ZodObject = z.ZodObject,
  Input extends z.ZodObject = z.ZodObject,
  Output extends z.ZodType = z.ZodType,
  Reason extends DomainReason = DomainReason,
  Scope extends RouteScope = RouteScope,
> {
  method: HttpMethod;
  /** OpenAPI path template, e.g. /2.0/accounts/{id}; the directory of the route.ts. */
  path: string;
  summary: string;
  tag: ApiTag;
  scope: Scope;
  params: Params;
  /** Query (GET, DELETE) or body (POST) parameters. */
  input: Input;
  output: {
    status: number;
    description: string;
    schema: Output;
    /**
     * Set for a route that streams bytes instead of JSON (its handler answers
     * `{ stream }`): the media type, or `*` when it is the content's own (file downloads).
     */
    streams?: string;
    /**
     * A second, non-error answer with its own status and body: spec §3's failed
     * login check on source creation (`{"success":false,"feedback_code",…}`).
     */
    alternative?: { status: number; description: string; schema: z.ZodType };
  };
  /** The failures the handler may return besides the scope's own. */
  reasons: readonly Reason[];
}

export function defineRoute<
  Params extends z.ZodObject,
  Input extends z.ZodObject,
  Output extends z.ZodType,
  Reason extends DomainReason = never,
  Scope extends RouteScope = 'developer',
>(contract: RouteContract<Params, Input, Output, Reason, Scope>): RouteContract<Params, Input, Output, Reason, Scope> {
  return contract;
}

/** The reasons a route can fail with: its scope's lookups and its handler's own. */
export function reasonsOf(contract: RouteContract): DomainReason[] {
  const scoped: DomainReason[] =
    contract.scope === 'source'
      ? ['account_not_found', 'source_not_found']
      : contract.scope === 'account'
        ? ['account_not_found']
        : [];
  return [...new Set([...scoped, ...contract.reasons])];
}

export const noInput = z.object({});
export const noParams = z.object({});
export const successJson = z.object({ success: z.literal(true) });
/** The output schema of a streaming route: bytes, described for the OpenAPI document. */
export const binaryOutput = z.string().meta({ format: 'binary' });

/** Context.IO's error body: the only shape an error ever has. */
export const errorJson = z
  .object({ type: z.literal('error'), value: z.string().meta({ description: 'What went wrong, for a human' }) })
  .meta({ id: 'Error' });
