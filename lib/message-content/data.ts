import { createHash } from 'node:crypto';
import type { OwnedAccount } from '@/lib/accounts/data';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { messageRefOrder, messageRefWhere, visibleMessageWhere } from '@/lib/messages/data';
import { parseMessageRef } from '@/lib/messages/schema';
import { loginForSource, sourceLoginSelect as sourceCredentialsSelect } from '@/lib/sources/data';
import { type MailboxTarget, MailboxUnavailableError, type MessageLocation } from './imap';

/**
 * Where the content of a synced message lives: its IMAP location and the
 * source to log in to. Scoped by the owned account like every read.
 */

const sourceLoginSelect = {
  // Only to build the login (loginForSource); never serialised.
  ...sourceCredentialsSelect,
  syncFlags: true,
} satisfies Prisma.SourceSelect;

const locatedSelect = {
  id: true,
  uid: true,
  size: true,
  folder: { select: { name: true, uidValidity: true, source: { select: sourceLoginSelect } } },
} satisfies Prisma.MessageSelect;

type LocatedRow = Prisma.MessageGetPayload<{ select: typeof locatedSelect }>;

export interface LocatedMessage {
  id: string;
  size: number;
  at: MessageLocation;
  target: MailboxTarget;
  sourceId: string;
  syncFlags: boolean;
}

/** The pool key changes with the server, the login or the password, so a reconnected source gets new connections. */
function targetFor(db: Db, source: LocatedRow['folder']['source']): MailboxTarget {
  const key = createHash('sha256')
    .update(
      [source.id, source.server, source.port, source.tlsMode, source.username, source.credentialCiphertext].join('\n'),
    )
    .digest('hex');
  return {
    key,
    login: async () => {
      const credentials = await loginForSource(db, source, new Date());
      if (!credentials.ok) throw new MailboxUnavailableError(credentials.message);
      return credentials.login;
    },
  };
}

function toLocated(db: Db, row: LocatedRow): LocatedMessage {
  return {
    id: row.id,
    size: row.size,
    at: { folder: row.folder.name, uid: Number(row.uid), uidValidity: row.folder.uidValidity },
    target: targetFor(db, row.folder.source),
    sourceId: row.folder.source.id,
    syncFlags: row.folder.source.syncFlags,
  };
}

/** A visible message named in any accepted form, with where to read it. */
export async function locateMessage(db: Db, account: OwnedAccount, messageId: string): Promise<LocatedMessage | null> {
  const ref = parseMessageRef(messageId);
  if (!ref) return null;
  const row = await db.message.findFirst({
    where: { AND: [visibleMessageWhere(account.id), messageRefWhere(ref)] },
    orderBy: messageRefOrder,
    select: locatedSelect,
  });
  return row ? toLocated(db, row) : null;
}

/** Several visible messages by our ids (include_body on a list), in no particular order. */
export async function locateMessages(db: Db, account: OwnedAccount, ids: string[]): Promise<LocatedMessage[]> {
  if (ids.length === 0) return [];
  const rows = await db.message.findMany({
    where: { AND: [visibleMessageWhere(account.id), { id: { in: ids } }] },
    select: locatedSelect,
  });
  return rows.map((row) => toLocated(db, row));
}

export interface LocatedFile {
  id: string;
  fileName: string;
  contentType: string;
  bodyPart: string;
  message: LocatedMessage;
}

/** A file of a visible message, with the message's location and its body part. */
export async function locateFile(db: Db, account: OwnedAccount, fileId: string): Promise<LocatedFile | null> {
  const row = await db.messageFile.findFirst({
    where: { id: fileId, accountId: account.id, message: visibleMessageWhere(account.id) },
    select: { id: true, fileName: true, contentType: true, bodyPart: true, message: { select: locatedSelect } },
  });
  if (!row) return null;
  return {
    id: row.id,
    fileName: row.fileName,
    contentType: row.contentType,
    bodyPart: row.bodyPart,
    message: toLocated(db, row.message),
  };
}

/** The folders holding a copy of the message: rows of the same source with its Message-ID, or just its own. */
export async function listMessageFolders(
  db: Db,
  account: OwnedAccount,
  messageId: string,
): Promise<{ name: string; specialUse: string; delimiter: string }[] | null> {
  const ref = parseMessageRef(messageId);
  if (!ref) return null;
  const row = await db.message.findFirst({
    where: { AND: [visibleMessageWhere(account.id), messageRefWhere(ref)] },
    orderBy: messageRefOrder,
    select: { id: true, sourceId: true, emailMessageId: true },
  });
  if (!row) return null;
  const copies = await db.message.findMany({
    where: {
      AND: [
        visibleMessageWhere(account.id),
        row.emailMessageId ? { sourceId: row.sourceId, emailMessageId: row.emailMessageId } : { id: row.id },
      ],
    },
    select: { folder: { select: { name: true, specialUse: true, delimiter: true } } },
    orderBy: { folder: { name: 'asc' } },
  });
  const byName = new Map(copies.map((copy) => [copy.folder.name, copy.folder]));
  return [...byName.values()];
}
