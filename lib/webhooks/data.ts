import { deliverySelect } from '@/lib/callbacks/data';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { brandOwned, type Owned } from '@/lib/db/owned';

/**
 * Webhook reads, scoped by developer. A webhook belongs to one level: the
 * application's (`accountId` null) or one account's; each level's routes see
 * only their own, so an id cannot be probed across levels or developers.
 */

export const webhookSelect = {
  id: true,
  accountId: true,
  callbackUrl: true,
  failureNotifUrl: true,
  filterTo: true,
  filterFrom: true,
  filterCc: true,
  filterSubject: true,
  filterThread: true,
  filterFileName: true,
  filterFolderAdded: true,
  filterToDomain: true,
  filterFromDomain: true,
  includeBody: true,
  bodyType: true,
  includeHeader: true,
  receiveDrafts: true,
  receiveAllChanges: true,
  active: true,
  failure: true,
  createdAt: true,
} satisfies Prisma.WebhookSelect;

export type WebhookRow = Prisma.WebhookGetPayload<{ select: typeof webhookSelect }>;
export type OwnedWebhook = Owned<WebhookRow>;

/** The application level (null) or one account, already proven the developer's. */
export type WebhookLevel = { accountId: string | null };

const levelWhere = (developerId: string, level: WebhookLevel) =>
  ({ developerId, accountId: level.accountId }) satisfies Prisma.WebhookWhereInput;

/** Oldest first with a stable tie-break, so offsets page consistently. */
const webhookOrder = [{ createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.WebhookOrderByWithRelationInput[];

export async function listWebhooks(
  db: Db,
  developerId: string,
  level: WebhookLevel,
  page: { offset: number; limit: number },
): Promise<OwnedWebhook[]> {
  const rows = await db.webhook.findMany({
    where: levelWhere(developerId, level),
    orderBy: webhookOrder,
    skip: page.offset,
    take: page.limit,
    select: webhookSelect,
  });
  return rows.map((row) => brandOwned(row, developerId));
}

export async function findWebhook(
  db: Db,
  developerId: string,
  level: WebhookLevel,
  webhookId: string,
): Promise<OwnedWebhook | null> {
  const row = await db.webhook.findFirst({
    where: { id: webhookId, ...levelWhere(developerId, level) },
    select: webhookSelect,
  });
  return row ? brandOwned(row, developerId) : null;
}

/** A webhook of either level, for the dashboard's webhook page. */
export async function findAnyWebhook(db: Db, developerId: string, webhookId: string): Promise<OwnedWebhook | null> {
  const row = await db.webhook.findFirst({ where: { id: webhookId, developerId }, select: webhookSelect });
  return row ? brandOwned(row, developerId) : null;
}

/** The webhook's deliveries (and failure notices), newest first, with their attempts. */
export async function listWebhookDeliveries(db: Db, webhook: OwnedWebhook, page: { offset: number; limit: number }) {
  const where = { webhookId: webhook.id, webhook: { developerId: webhook.developerId } };
  const [deliveries, total] = await Promise.all([
    db.callbackDelivery.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      skip: page.offset,
      take: page.limit,
      select: deliverySelect,
    }),
    db.callbackDelivery.count({ where }),
  ]);
  return { deliveries, total };
}

/** The webhooks a new message of the account is matched against: the account's and the application's, live ones only. */
export function liveWebhooksFor(db: Db, developerId: string, accountId: string) {
  return db.webhook.findMany({
    where: { developerId, active: true, failure: false, OR: [{ accountId }, { accountId: null }] },
    orderBy: webhookOrder,
    select: { ...webhookSelect, developerId: true },
  });
}
