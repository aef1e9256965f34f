import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import {
  connectTokenCreatedJson,
  connectTokenJson,
  connectTokenParam,
  createConnectTokenInput,
  createReconnectTokenInput,
  listConnectTokensInput,
} from '@/lib/connect-tokens/schema';
import { defineRoute, noInput, successJson } from '@/lib/http/contract';

/**
 * The connect_tokens resource at its three levels (spec §5–§7): the same four
 * operations under /2.0, /2.0/accounts/:id and /2.0/accounts/:id/sources/:label.
 * Each level's contract.ts declares its routes through these.
 */

// Any non-empty label reaches the source lookup (a miss is the usual 404), as before this was declared.
const label = z.string().min(1).meta({ description: 'The source label, e.g. jane::gmail; 0 means the first source.' });

const levels = {
  top: { prefix: '/2.0', scope: 'developer', params: {}, what: 'for a new account' },
  account: {
    prefix: '/2.0/accounts/{id}',
    scope: 'account',
    params: { id: accountIdParam },
    what: 'for a second mailbox on an account',
  },
  source: {
    prefix: '/2.0/accounts/{id}/sources/{label}',
    scope: 'source',
    params: { id: accountIdParam, label },
    what: 'to re-connect a source',
  },
} as const;

type Level = keyof typeof levels;
const tag = 'Connect tokens';

export function connectTokenCollectionContracts<L extends Level>(level: L) {
  const { prefix, scope, params, what } = levels[level];
  return {
    GET: defineRoute({
      method: 'GET',
      path: `${prefix}/connect_tokens`,
      summary: `List connect tokens ${what}`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: z.object(params),
      input: listConnectTokensInput,
      output: { status: 200, description: 'Tokens, oldest first', schema: z.array(connectTokenJson) },
      reasons: [],
    }),
    POST: defineRoute({
      method: 'POST',
      path: `${prefix}/connect_tokens`,
      summary: `Create a connect token ${what}`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: z.object(params),
      input: level === 'source' ? createReconnectTokenInput : createConnectTokenInput,
      output: { status: 201, description: 'Created', schema: connectTokenCreatedJson },
      reasons: ['callback_url_not_allowed', 'callback_url_private'],
    }),
  };
}

export function connectTokenItemContracts<L extends Level>(level: L) {
  const { prefix, scope, params, what } = levels[level];
  const withToken = z.object({ ...params, token: connectTokenParam });
  return {
    GET: defineRoute({
      method: 'GET',
      path: `${prefix}/connect_tokens/{token}`,
      summary: `Get a connect token ${what}`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: withToken,
      input: noInput,
      output: { status: 200, description: 'The token', schema: connectTokenJson },
      reasons: ['token_not_found'],
    }),
    DELETE: defineRoute({
      method: 'DELETE',
      path: `${prefix}/connect_tokens/{token}`,
      summary: `Delete a connect token ${what} (never the account it created)`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: withToken,
      input: noInput,
      output: { status: 200, description: 'Deleted', schema: successJson },
      reasons: ['token_not_found'],
    }),
  };
}
