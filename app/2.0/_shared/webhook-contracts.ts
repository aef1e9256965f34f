import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute, noInput, successJson } from '@/lib/http/contract';
import {
  createdWebhookJson,
  createWebhookInput,
  listWebhooksInput,
  updateWebhookInput,
  webhookIdParam,
  webhookJson,
} from '@/lib/webhooks/schema';

/**
 * The webhooks resource at its two levels (spec §15): the application's
 * (/2.0/webhooks, every account of the developer) and one account's. Each
 * level's contract.ts declares its routes through these.
 */

const levels = {
  app: { prefix: '/2.0', scope: 'developer', params: {}, what: 'of the application (every account)' },
  account: { prefix: '/2.0/accounts/{id}', scope: 'account', params: { id: accountIdParam }, what: 'of an account' },
} as const;

type Level = keyof typeof levels;
const tag = 'Webhooks';

export function webhookCollectionContracts<L extends Level>(level: L) {
  const { prefix, scope, params, what } = levels[level];
  return {
    GET: defineRoute({
      method: 'GET',
      path: `${prefix}/webhooks`,
      summary: `List the webhooks ${what}`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: z.object(params),
      input: listWebhooksInput,
      output: { status: 200, description: 'Webhooks, oldest first', schema: z.array(webhookJson) },
      reasons: [],
    }),
    POST: defineRoute({
      method: 'POST',
      path: `${prefix}/webhooks`,
      summary: `Create a webhook ${what}`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: z.object(params),
      input: createWebhookInput,
      output: { status: 201, description: 'Created', schema: createdWebhookJson },
      reasons: ['callback_url_not_allowed', 'callback_url_private'],
    }),
  };
}

export function webhookItemContracts<L extends Level>(level: L) {
  const { prefix, scope, params, what } = levels[level];
  const withId = z.object({ ...params, webhook_id: webhookIdParam });
  return {
    GET: defineRoute({
      method: 'GET',
      path: `${prefix}/webhooks/{webhook_id}`,
      summary: `Get a webhook ${what}`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: withId,
      input: noInput,
      output: { status: 200, description: 'The webhook', schema: webhookJson },
      reasons: ['webhook_not_found'],
    }),
    POST: defineRoute({
      method: 'POST',
      path: `${prefix}/webhooks/{webhook_id}`,
      summary: `Modify a webhook ${what} (active=0/1 pauses and resumes it)`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: withId,
      input: updateWebhookInput,
      output: { status: 200, description: 'Modified', schema: successJson },
      reasons: ['webhook_not_found', 'callback_url_not_allowed', 'callback_url_private'],
    }),
    DELETE: defineRoute({
      method: 'DELETE',
      path: `${prefix}/webhooks/{webhook_id}`,
      summary: `Delete a webhook ${what}`,
      tag,
      scope: scope as (typeof levels)[L]['scope'],
      params: withId,
      input: noInput,
      output: { status: 200, description: 'Deleted', schema: successJson },
      reasons: ['webhook_not_found'],
    }),
  };
}
