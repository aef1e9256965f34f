import type { OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { visibleMessageWhere } from '@/lib/messages/data';
import type { ListFilesInput } from './schema';

export const fileSelect = {
  id: true,
  accountId: true,
  fileName: true,
  contentType: true,
  size: true,
  isEmbedded: true,
  message: {
    select: {
      id: true,
      emailMessageId: true,
      date: true,
      fromAddresses: true,
      toAddresses: true,
      ccAddresses: true,
    },
  },
} satisfies Prisma.MessageFileSelect;

export type FileRow = Prisma.MessageFileGetPayload<{ select: typeof fileSelect }>;

/** Files of the messages the API shows, newest message first. */
export async function listFiles(db: Db, account: OwnedAccount, input: ListFilesInput): Promise<FileRow[]> {
  const accountId = account.id;
  const message: Prisma.MessageWhereInput[] = [visibleMessageWhere(accountId)];
  if (input.email) {
    const email = input.email.toLowerCase();
    message.push({
      OR: [
        { fromAddresses: { array_contains: [{ email }] } },
        { toAddresses: { array_contains: [{ email }] } },
        { ccAddresses: { array_contains: [{ email }] } },
      ],
    });
  }
  if (input.date_before !== undefined) message.push({ date: { lt: new Date(input.date_before * 1000) } });
  if (input.date_after !== undefined) message.push({ date: { gt: new Date(input.date_after * 1000) } });
  return db.messageFile.findMany({
    where: {
      accountId,
      message: { AND: message },
      ...(input.file_name && { fileName: { contains: input.file_name, mode: 'insensitive' } }),
    },
    orderBy: [{ message: { date: { sort: 'desc', nulls: 'last' } } }, { id: 'asc' }],
    skip: input.offset,
    take: input.limit,
    select: fileSelect,
  });
}

export async function findFile(db: Db, account: OwnedAccount, fileId: string): Promise<FileRow | null> {
  return db.messageFile.findFirst({
    where: { id: fileId, accountId: account.id, message: visibleMessageWhere(account.id) },
    select: fileSelect,
  });
}

/** Files of the same name in the account's other visible messages (Context.IO's related files), newest first. */
export async function listRelatedFiles(db: Db, account: OwnedAccount, file: FileRow): Promise<FileRow[]> {
  if (!file.fileName) return [];
  return db.messageFile.findMany({
    where: {
      accountId: account.id,
      fileName: file.fileName,
      id: { not: file.id },
      messageId: { not: file.message.id },
      message: visibleMessageWhere(account.id),
    },
    orderBy: [{ message: { date: { sort: 'desc', nulls: 'last' } } }, { id: 'asc' }],
    take: 100,
    select: fileSelect,
  });
}
