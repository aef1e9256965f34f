import type { OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { type MessageRow, messageSelect, visibleMessageWhere } from '@/lib/messages/data';
import type { ListThreadsInput, ThreadRef } from './schema';

/** Thread ids of the messages the API shows, the most recently active thread first. */
export async function listThreadIds(db: Db, account: OwnedAccount, input: ListThreadsInput): Promise<string[]> {
  const groups = await db.message.groupBy({
    by: ['threadId'],
    where: visibleMessageWhere(account.id),
    _max: { date: true },
    orderBy: [{ _max: { date: 'desc' } }, { threadId: 'asc' }],
    skip: input.offset,
    take: input.limit,
  });
  return groups.map((group) => group.threadId);
}

function threadWhere(ref: ThreadRef): Prisma.MessageWhereInput {
  return ref.kind === 'id' ? { threadId: ref.threadId } : { gmailThreadId: ref.gmailThreadId };
}

/** A thread's visible messages, oldest first; empty when the thread is unknown. */
export async function listThreadMessages(db: Db, account: OwnedAccount, ref: ThreadRef): Promise<MessageRow[]> {
  return db.message.findMany({
    where: { AND: [visibleMessageWhere(account.id), threadWhere(ref)] },
    orderBy: [{ date: { sort: 'asc', nulls: 'first' } }, { id: 'asc' }],
    take: 1000,
    select: messageSelect,
  });
}
