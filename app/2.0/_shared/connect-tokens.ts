import type { z } from 'zod';
import type { ConnectTokenScope } from '@/lib/connect-tokens/data';
import { findConnectToken, listConnectTokens } from '@/lib/connect-tokens/data';
import { createConnectToken, deleteConnectToken } from '@/lib/connect-tokens/mutations';
import { browserRedirectUrl, connectTokenResourceUrl, serializeConnectToken } from '@/lib/connect-tokens/serialize';
import { getConfig } from '@/lib/env';
import { type ApiContext, apiRoute } from '@/lib/http/api-route';
import type { connectTokenCollectionContracts, connectTokenItemContracts } from './connect-token-contracts';

/** The connect_tokens handlers at their three levels; each route.ts passes its own contract.ts. */

type Collection = ReturnType<typeof connectTokenCollectionContracts>;
type Item = ReturnType<typeof connectTokenItemContracts>;

/** The token scope is the route's owned row (the wrapper looked it up once), or the top level. */
function scopeOf(context: ApiContext<unknown, unknown, 'developer' | 'account' | 'source'>): ConnectTokenScope {
  if ('source' in context) return { level: 'source', source: context.source };
  if ('account' in context) return { level: 'account', account: context.account };
  return { level: 'top' };
}

export function connectTokenCollection(contract: Collection) {
  return {
    GET: apiRoute(
      contract.GET,
      async (context) => {
        const rows = await listConnectTokens(
          context.db,
          context.developerId,
          scopeOf(context),
          context.input,
          context.now,
          context.nonce,
        );
        return { body: rows.map((row) => serializeConnectToken(row, context.baseUrl)) };
      },
      // Issue 14: the list's statement records the nonce (reads only, nothing changes before it).
      { foldsNonce: true },
    ),
    // Issue 14: the read of the developer's callback policy records the nonce, before anything is written.
    POST: apiRoute(
      contract.POST,
      async (context) => {
        const scope = scopeOf(context);
        const input = context.input as z.output<Collection['POST']['input']>;
        const created = await createConnectToken(context.db, context.developerId, scope, input, context.now, {
          allowPrivateHosts: getConfig().allowPrivateHosts,
          nonce: context.nonce,
        });
        if (!created.ok) return created;
        return {
          body: {
            success: true as const,
            token: created.token,
            resource_url: connectTokenResourceUrl(context.baseUrl, {
              id: created.token,
              targetAccountId:
                scope.level === 'top' ? null : scope.level === 'account' ? scope.account.id : scope.source.accountId,
              targetSource: scope.level === 'source' ? { label: scope.source.label } : null,
            }),
            browser_redirect_url: browserRedirectUrl(context.baseUrl, created.token),
          },
        };
      },
      { foldsNonce: true },
    ),
  };
}

export function connectTokenItem(contract: Item) {
  return {
    GET: apiRoute(
      contract.GET,
      async (context) => {
        const row = await findConnectToken(
          context.db,
          context.developerId,
          scopeOf(context),
          context.params.token,
          context.now,
          context.nonce,
        );
        return row ? { body: serializeConnectToken(row, context.baseUrl) } : { ok: false, reason: 'token_not_found' };
      },
      // Issue 14: one statement records the nonce and reads the token.
      { foldsNonce: true },
    ),
    DELETE: apiRoute(contract.DELETE, async (context) => {
      const deleted = await deleteConnectToken(
        context.db,
        context.developerId,
        scopeOf(context),
        context.params.token,
        context.now,
      );
      return deleted ? { body: { success: true as const } } : { ok: false, reason: 'token_not_found' };
    }),
  };
}
