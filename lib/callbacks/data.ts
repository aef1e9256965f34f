import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';

/** Callback deliveries as the dashboard shows them; every read is scoped by developer. */

export const deliverySelect = {
  id: true,
  sourceId: true,
  url: true,
  event: true,
  body: true,
  state: true,
  attempts: true,
  createdAt: true,
  deliveredAt: true,
  attemptsMade: {
    orderBy: [{ attemptedAt: 'asc' }, { id: 'asc' }],
    select: { id: true, attemptedAt: true, statusCode: true, latencyMs: true, error: true },
  },
} satisfies Prisma.CallbackDeliverySelect;

export type DeliveryRow = Prisma.CallbackDeliveryGetPayload<{ select: typeof deliverySelect }>;

const ownedSource = (developerId: string, sourceId: string) =>
  ({ sourceId, source: { account: { developerId } } }) satisfies Prisma.CallbackDeliveryWhereInput;

/** One page of a source's deliveries, newest first, with their attempts. */
export async function listSourceDeliveries(
  db: Db,
  developerId: string,
  sourceId: string,
  page: { offset: number; limit: number },
): Promise<{ deliveries: DeliveryRow[]; total: number }> {
  const where = ownedSource(developerId, sourceId);
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

/** One delivery, only when it belongs to one of the developer's sources. */
export async function findDelivery(db: Db, developerId: string, deliveryId: string): Promise<DeliveryRow | null> {
  return db.callbackDelivery.findFirst({
    where: { id: deliveryId, source: { account: { developerId } } },
    select: deliverySelect,
  });
}
