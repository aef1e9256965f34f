import type { OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { type ListMessagesInput, type MessageRef, parseMessageRef } from './schema';

/**
 * Messages the API shows: in folders still included in the sync, and not
 * flagged \Deleted when the source hides those (source_expunge_on_deleted_flag).
 */
export function visibleMessageWhere(accountId: string): Prisma.MessageWhereInput {
  return {
    accountId,
    folder: { includedInSync: true },
    OR: [{ isDeleted: false }, { folder: { source: { expungeOnDeletedFlag: false } } }],
  };
}

const dateRange = (input: { date_before?: number; date_after?: number }): Prisma.DateTimeNullableFilter | undefined =>
  input.date_before === undefined && input.date_after === undefined
    ? undefined
    : {
        ...(input.date_before !== undefined && { lt: new Date(input.date_before * 1000) }),
        ...(input.date_after !== undefined && { gt: new Date(input.date_after * 1000) }),
      };

export const messageSelect = {
  id: true,
  emailMessageId: true,
  subject: true,
  date: true,
  dateReceived: true,
  size: true,
  fromAddresses: true,
  toAddresses: true,
  ccAddresses: true,
  replyTo: true,
  threadId: true,
  gmailMessageId: true,
  gmailThreadId: true,
  flags: true,
  accountId: true,
  folder: { select: { name: true, source: { select: { label: true } } } },
  files: {
    orderBy: { bodyPart: 'asc' },
    select: { id: true, fileName: true, contentType: true, size: true, isEmbedded: true },
  },
} satisfies Prisma.MessageSelect;

export type MessageRow = Prisma.MessageGetPayload<{ select: typeof messageSelect }>;

/** Newest first (Context.IO's default order), with the id as a stable tie-break. */
export async function listMessages(db: Db, account: OwnedAccount, input: ListMessagesInput): Promise<MessageRow[]> {
  const conditions: Prisma.MessageWhereInput[] = [visibleMessageWhere(account.id)];
  if (input.folder) conditions.push({ folder: { name: input.folder } });
  if (input.from) conditions.push({ fromAddresses: { array_contains: [{ email: input.from.toLowerCase() }] } });
  if (input.to) conditions.push({ toAddresses: { array_contains: [{ email: input.to.toLowerCase() }] } });
  if (input.subject) conditions.push({ subject: { contains: input.subject, mode: 'insensitive' } });
  const date = dateRange(input);
  if (date) conditions.push({ date });
  return db.message.findMany({
    where: { AND: conditions },
    orderBy: [{ date: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
    skip: input.offset,
    take: input.limit,
    select: messageSelect,
  });
}

/** The row condition for a message named in any accepted form (spec §16). */
export function messageRefWhere(ref: MessageRef): Prisma.MessageWhereInput {
  if (ref.kind === 'id') return { id: ref.id };
  if (ref.kind === 'gmail_message_id') return { gmailMessageId: ref.gmailMessageId };
  return { emailMessageId: ref.emailMessageId };
}

/** A copy in several folders answers by its first stored row, so the same ref always names the same copy. */
export const messageRefOrder = [{ createdAt: 'asc' }, { id: 'asc' }] satisfies Prisma.MessageOrderByWithRelationInput[];

/** A visible message by our id, its Message-ID or Gmail's id; null when unknown, hidden or malformed. */
export async function findMessage(db: Db, account: OwnedAccount, messageId: string): Promise<MessageRow | null> {
  const ref = parseMessageRef(messageId);
  if (!ref) return null;
  return db.message.findFirst({
    where: { AND: [visibleMessageWhere(account.id), messageRefWhere(ref)] },
    orderBy: messageRefOrder,
    select: messageSelect,
  });
}

/** nb_messages and nb_files of accounts (spec §8), counted as the read API shows them. */
export async function countSyncedData(
  db: Db,
  accounts: readonly OwnedAccount[],
): Promise<Map<string, { nbMessages: number; nbFiles: number }>> {
  const accountIds = accounts.map((account) => account.id);
  const counts = new Map(accountIds.map((id) => [id, { nbMessages: 0, nbFiles: 0 }]));
  if (accountIds.length === 0) return counts;
  const visible = { OR: accountIds.map((id) => visibleMessageWhere(id)) };
  const [messages, files] = await Promise.all([
    db.message.groupBy({ by: ['accountId'], where: visible, _count: { _all: true } }),
    db.messageFile.groupBy({ by: ['accountId'], where: { message: visible }, _count: { _all: true } }),
  ]);
  for (const row of messages) {
    const entry = counts.get(row.accountId);
    if (entry) entry.nbMessages = row._count._all;
  }
  for (const row of files) {
    const entry = counts.get(row.accountId);
    if (entry) entry.nbFiles = row._count._all;
  }
  return counts;
}
