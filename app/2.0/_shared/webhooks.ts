import { getConfig } from '@/lib/env';
import { type ApiContext, apiRoute } from '@/lib/http/api-route';
import { findWebhook, listWebhooks, type WebhookLevel } from '@/lib/webhooks/data';
import { createWebhook, deleteWebhook, updateWebhook } from '@/lib/webhooks/mutations';
import { serializeWebhook, webhookResourceUrl } from '@/lib/webhooks/serialize';
import type { webhookCollectionContracts, webhookItemContracts } from './webhook-contracts';

/** The webhooks handlers at their two levels; each route.ts passes its own contract.ts. */

type Collection = ReturnType<typeof webhookCollectionContracts>;
type Item = ReturnType<typeof webhookItemContracts>;

/** The account the wrapper proved the developer's, or the application level. */
const levelOf = (context: ApiContext<unknown, unknown, 'developer' | 'account'>): WebhookLevel =>
  'account' in context ? { accountId: context.account.id } : { accountId: null };

const notFound = { ok: false, reason: 'webhook_not_found' } as const;

export function webhookCollection(contract: Collection) {
  return {
    GET: apiRoute(contract.GET, async (context) => {
      const rows = await listWebhooks(context.db, context.developerId, levelOf(context), context.input);
      return { body: rows.map((row) => serializeWebhook(row, context.baseUrl)) };
    }),
    POST: apiRoute(contract.POST, async (context) => {
      const level = levelOf(context);
      const created = await createWebhook(
        context.db,
        context.developerId,
        level,
        context.input,
        { allowPrivateHosts: getConfig().allowPrivateHosts },
        context.now,
      );
      if (!created.ok) return created;
      return {
        body: {
          success: true as const,
          webhook_id: created.webhookId,
          resource_url: webhookResourceUrl(context.baseUrl, { id: created.webhookId, ...level }),
        },
      };
    }),
  };
}

export function webhookItem(contract: Item) {
  const owned = (context: ApiContext<{ webhook_id: string }, unknown, 'developer' | 'account'>) =>
    findWebhook(context.db, context.developerId, levelOf(context), context.params.webhook_id);
  return {
    GET: apiRoute(contract.GET, async (context) => {
      const webhook = await owned(context);
      return webhook ? { body: serializeWebhook(webhook, context.baseUrl) } : notFound;
    }),
    POST: apiRoute(contract.POST, async (context) => {
      const webhook = await owned(context);
      if (!webhook) return notFound;
      const updated = await updateWebhook(context.db, webhook, context.input, {
        allowPrivateHosts: getConfig().allowPrivateHosts,
      });
      return updated.ok ? { body: { success: true as const } } : updated;
    }),
    DELETE: apiRoute(contract.DELETE, async (context) => {
      const webhook = await owned(context);
      return webhook && (await deleteWebhook(context.db, webhook)) ? { body: { success: true as const } } : notFound;
    }),
  };
}
