import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import type { ConnectTokenScope } from '@/lib/connect-tokens/data';
import { findConnectToken, listConnectTokens } from '@/lib/connect-tokens/data';
import { createConnectToken, deleteConnectToken } from '@/lib/connect-tokens/mutations';
import type { ConnectTokenLevel } from '@/lib/connect-tokens/schema';
import {
  connectTokenNotFoundMessage,
  connectTokenParam,
  createConnectTokenInput,
  createReconnectTokenInput,
  listConnectTokensInput,
} from '@/lib/connect-tokens/schema';
import { browserRedirectUrl, connectTokenResourceUrl, serializeConnectToken } from '@/lib/connect-tokens/serialize';
import { disallowedCallbackUrlMessage } from '@/lib/developers/schema';
import { apiRoute } from '@/lib/http/api-route';
import { badRequest, notFound } from '@/lib/http/errors';
import { requireAccount, requireSource } from './resources';

/**
 * The connect_tokens resource at its three levels (spec §5–§7): the same four
 * operations under /2.0, /2.0/accounts/:id and /2.0/accounts/:id/sources/:label.
 */

type Level = ConnectTokenLevel;

const paramsFor = {
  top: z.object({}),
  account: z.object({ id: accountIdParam }),
  source: z.object({ id: accountIdParam, label: z.string().min(1) }),
};

const withToken = {
  top: z.object({ token: connectTokenParam }),
  account: z.object({ id: accountIdParam, token: connectTokenParam }),
  source: z.object({ id: accountIdParam, label: z.string().min(1), token: connectTokenParam }),
};

type ScopeParams = { id?: string; label?: string };

/** Checks the account (and source) belong to the developer, and names the scope. */
async function resolveScope(
  context: { db: Parameters<typeof requireAccount>[0]; developerId: string },
  params: ScopeParams,
): Promise<ConnectTokenScope> {
  if (!params.id) return { level: 'top' };
  await requireAccount(context.db, context.developerId, params.id);
  if (params.label === undefined) return { level: 'account', accountId: params.id };
  const source = await requireSource(context.db, context.developerId, params.id, params.label);
  return { level: 'source', accountId: params.id, sourceLabel: source.label };
}

const tokenNotFound = (token: string) => notFound(connectTokenNotFoundMessage(token));

export function connectTokenCollection(level: Level) {
  return {
    GET: apiRoute({
      params: paramsFor[level],
      input: listConnectTokensInput,
      handler: async (context) => {
        const scope = await resolveScope(context, context.params as ScopeParams);
        const rows = await listConnectTokens(context.db, context.developerId, scope, context.input, context.now);
        return { body: rows.map((row) => serializeConnectToken(row, context.baseUrl)) };
      },
    }),
    POST: apiRoute({
      params: paramsFor[level],
      input: level === 'source' ? createReconnectTokenInput : createConnectTokenInput,
      handler: async (context) => {
        const scope = await resolveScope(context, context.params as ScopeParams);
        const created = await createConnectToken(context.db, context.developerId, scope, context.input, context.now);
        if (!created.ok && created.reason === 'callback_url_not_allowed') {
          throw badRequest(disallowedCallbackUrlMessage(created.field, created.prefixes));
        }
        // resolveScope has already proven the targets; a miss here means they vanished meanwhile.
        if (!created.ok) throw notFound(`account ${(context.params as ScopeParams).id} is invalid`);
        return {
          status: 201,
          body: {
            success: true,
            token: created.token,
            resource_url: connectTokenResourceUrl(context.baseUrl, {
              id: created.token,
              targetAccountId: scope.level === 'top' ? null : scope.accountId,
              targetSource: scope.level === 'source' ? { label: scope.sourceLabel } : null,
            }),
            browser_redirect_url: browserRedirectUrl(context.baseUrl, created.token),
          },
        };
      },
    }),
  };
}

export function connectTokenItem(level: Level) {
  return {
    GET: apiRoute({
      params: withToken[level],
      input: z.object({}),
      handler: async (context) => {
        const scope = await resolveScope(context, context.params as ScopeParams);
        const { token } = context.params as { token: string };
        const row = await findConnectToken(context.db, context.developerId, scope, token, context.now);
        if (!row) throw tokenNotFound(token);
        return { body: serializeConnectToken(row, context.baseUrl) };
      },
    }),
    DELETE: apiRoute({
      params: withToken[level],
      input: z.object({}),
      handler: async (context) => {
        const scope = await resolveScope(context, context.params as ScopeParams);
        const { token } = context.params as { token: string };
        if (!(await deleteConnectToken(context.db, context.developerId, scope, token, context.now))) {
          throw tokenNotFound(token);
        }
        return { body: { success: true } };
      },
    }),
  };
}
