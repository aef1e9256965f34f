import type { OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
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

interface MessageSqlRow {
  id: string;
  email_message_id: string;
  subject: string;
  date: Date | null;
  date_received: Date | null;
  size: number;
  from_addresses: unknown;
  to_addresses: unknown;
  cc_addresses: unknown;
  reply_to: unknown;
  thread_id: string;
  gmail_message_id: string;
  gmail_thread_id: string;
  flags: string[];
  account_id: string;
  folder_name: string;
  source_label: string;
  files: MessageRow['files'];
}

/** `%`, `_` and `\` match themselves: the subject filter looks for the text as given. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Newest first (Context.IO's default order: undated messages last), with the id
 * as a stable tie-break. In SQL of its own (issue 14): ORDER BY date DESC NULLS
 * LAST matches no btree order of (account_id, date, id), so PostgreSQL sorted all
 * of an account's messages for every page (100+ ms at 10,000). Dated and undated
 * messages are read as two index-ordered runs instead, each stopped at offset +
 * limit rows, and only those are put in order; the same visibility rule as
 * visibleMessageWhere, which the other reads use.
 */
export async function listMessages(db: Db, account: OwnedAccount, input: ListMessagesInput): Promise<MessageRow[]> {
  const filters: Prisma.Sql[] = [];
  if (input.folder) filters.push(Prisma.sql`AND f.name = ${input.folder}`);
  if (input.from) {
    filters.push(Prisma.sql`AND m.from_addresses @> ${JSON.stringify([{ email: input.from.toLowerCase() }])}::jsonb`);
  }
  if (input.to) {
    filters.push(Prisma.sql`AND m.to_addresses @> ${JSON.stringify([{ email: input.to.toLowerCase() }])}::jsonb`);
  }
  if (input.subject) filters.push(Prisma.sql`AND m.subject ILIKE ${likePattern(input.subject)}`);
  if (input.date_before !== undefined) filters.push(Prisma.sql`AND m.date < ${new Date(input.date_before * 1000)}`);
  if (input.date_after !== undefined) filters.push(Prisma.sql`AND m.date > ${new Date(input.date_after * 1000)}`);
  const where = Prisma.sql`m.account_id = ${account.id} AND f.included_in_sync
    AND (NOT m.is_deleted OR NOT s.expunge_on_deleted_flag) ${filters.length > 0 ? Prisma.join(filters, ' ', '', '') : Prisma.empty}`;
  const run = input.offset + input.limit;
  const rows = await db.$queryRaw<MessageSqlRow[]>`
    WITH page AS (
      SELECT id, date, undated FROM (
        (SELECT m.id, m.date, false AS undated
          FROM messages m JOIN source_folders f ON f.id = m.folder_id JOIN sources s ON s.id = f.source_id
          WHERE ${where} AND m.date IS NOT NULL
          ORDER BY m.date DESC, m.id DESC LIMIT ${run})
        UNION ALL
        (SELECT m.id, m.date, true AS undated
          FROM messages m JOIN source_folders f ON f.id = m.folder_id JOIN sources s ON s.id = f.source_id
          WHERE ${where} AND m.date IS NULL
          ORDER BY m.id DESC LIMIT ${run})
      ) AS runs
      ORDER BY undated, date DESC, id DESC LIMIT ${input.limit} OFFSET ${input.offset}
    )
    SELECT m.id, m.email_message_id, m.subject, m.date, m.date_received, m.size, m.from_addresses, m.to_addresses,
      m.cc_addresses, m.reply_to, m.thread_id, m.gmail_message_id, m.gmail_thread_id, m.flags, m.account_id,
      f.name AS folder_name, s.label AS source_label,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('id', x.id, 'fileName', x.file_name, 'contentType', x.content_type,
          'size', x.size, 'isEmbedded', x.is_embedded) ORDER BY x.body_part), '[]'::jsonb)
        FROM message_files x WHERE x.message_id = m.id) AS files
    FROM page JOIN messages m ON m.id = page.id
      JOIN source_folders f ON f.id = m.folder_id JOIN sources s ON s.id = f.source_id
    ORDER BY page.undated, page.date DESC, page.id DESC`;
  return rows.map((row) => ({
    id: row.id,
    emailMessageId: row.email_message_id,
    subject: row.subject,
    date: row.date,
    dateReceived: row.date_received,
    size: row.size,
    fromAddresses: row.from_addresses as MessageRow['fromAddresses'],
    toAddresses: row.to_addresses as MessageRow['toAddresses'],
    ccAddresses: row.cc_addresses as MessageRow['ccAddresses'],
    replyTo: row.reply_to as MessageRow['replyTo'],
    threadId: row.thread_id,
    gmailMessageId: row.gmail_message_id,
    gmailThreadId: row.gmail_thread_id,
    flags: row.flags,
    accountId: row.account_id,
    folder: { name: row.folder_name, source: { label: row.source_label } },
    files: row.files,
  }));
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
