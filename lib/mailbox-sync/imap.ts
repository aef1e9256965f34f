import { type FetchQueryObject, ImapFlow, type MessageStructureObject } from 'imapflow';
import { checkHostAllowed } from '@/lib/imap/network-guard';
import { classifyImapError, type ImapFailure, type ImapLogin, imapFlowOptions } from '@/lib/imap/verify';

/**
 * The small interface the sync needs from an IMAP server, and its imapflow
 * implementation. Everything else in lib/mailbox-sync is IMAP-library free.
 */

export interface RemoteFolder {
  path: string;
  delimiter: string;
  /** LIST attributes, e.g. \HasChildren, \Noselect. */
  flags: string[];
  /** RFC 6154 special use, e.g. \Trash, or "". */
  specialUse: string;
}

export interface FolderStatus {
  uidValidity: bigint;
  exists: number;
}

export type Address = { name: string; email: string };

export interface RemoteMessage {
  uid: number;
  size: number;
  internalDate: Date | null;
  flags: string[];
  envelope: {
    date: Date | null;
    subject: string;
    messageId: string;
    inReplyTo: string;
    from: Address[];
    to: Address[];
    cc: Address[];
    replyTo: Address[];
  };
  /** Raw `References:` header line(s). */
  referencesHeader: string;
  bodyStructure: MessageStructureObject | null;
}

export interface MailboxSession {
  listFolders(): Promise<RemoteFolder[]>;
  /** Selects the folder read-only. */
  openFolder(path: string): Promise<FolderStatus>;
  /** UIDs above `afterUid` in the open folder, ascending. */
  uidsAfter(afterUid: number): Promise<number[]>;
  /** The listed messages of the open folder (UIDs that vanished meanwhile are simply missing). */
  fetchMessages(uids: number[]): Promise<RemoteMessage[]>;
  close(): Promise<void>;
}

export type OpenSessionResult = { ok: true; session: MailboxSession } | { ok: false; failure: ImapFailure };

/** What a message fetch asks for; the benchmark's raw fetch asks for exactly the same. */
export const FETCH_QUERY: FetchQueryObject = {
  uid: true,
  size: true,
  internalDate: true,
  flags: true,
  envelope: true,
  bodyStructure: true,
  headers: ['references'],
};

const toAddresses = (list: { name?: string; address?: string }[] | undefined): Address[] =>
  (list ?? []).map((entry) => ({ name: entry.name ?? '', email: (entry.address ?? '').toLowerCase() }));

/** Ascending UIDs as an IMAP sequence set with runs collapsed (1,2,3,7 → 1:3,7): far shorter commands. */
export function toSequenceSet(uids: number[]): string {
  const parts: string[] = [];
  let start = uids[0];
  let previous = start;
  for (const uid of [...uids.slice(1), Number.NaN]) {
    if (uid === (previous ?? 0) + 1) {
      previous = uid;
      continue;
    }
    if (start !== undefined) parts.push(start === previous ? String(start) : `${start}:${previous}`);
    start = uid;
    previous = uid;
  }
  return parts.join(',');
}

export async function openMailboxSession(
  login: ImapLogin,
  options: { allowPrivateHosts: boolean; timeoutMs?: number },
): Promise<OpenSessionResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const hostCheck = await checkHostAllowed(login.server, options.allowPrivateHosts, { timeoutMs });
  if (!hostCheck.ok) return { ok: false, failure: hostCheck.failure };
  const client = new ImapFlow(imapFlowOptions(login, hostCheck.address, timeoutMs));
  // Failures arrive through the rejected calls; an unheard 'error' event would crash the worker.
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    client.close();
    const secure = login.tlsMode === 'TLS';
    return {
      ok: false,
      failure: classifyImapError(error, { secure, loginDisabled: client.capabilities.has('LOGINDISABLED') }),
    };
  }

  const session: MailboxSession = {
    async listFolders() {
      const folders = await client.list();
      return folders.map((folder) => ({
        path: folder.path,
        delimiter: folder.delimiter ?? '/',
        flags: [...(folder.flags ?? [])],
        specialUse: folder.specialUse ?? '',
      }));
    },
    async openFolder(path) {
      const mailbox = await client.mailboxOpen(path, { readOnly: true });
      return { uidValidity: BigInt(mailbox.uidValidity), exists: mailbox.exists };
    },
    async uidsAfter(afterUid) {
      // `n:*` always matches the highest UID, even below n: filter it out.
      const uids = (await client.search({ uid: `${afterUid + 1}:*` }, { uid: true })) || [];
      return uids.filter((uid) => uid > afterUid).sort((a, b) => a - b);
    },
    async fetchMessages(uids) {
      if (uids.length === 0) return [];
      const fetched = await client.fetchAll(toSequenceSet(uids), FETCH_QUERY, { uid: true });
      return fetched.map((message) => ({
        uid: message.uid,
        size: message.size ?? 0,
        internalDate: message.internalDate ? new Date(message.internalDate) : null,
        flags: [...(message.flags ?? [])],
        envelope: {
          date: message.envelope?.date ? new Date(message.envelope.date) : null,
          subject: message.envelope?.subject ?? '',
          messageId: message.envelope?.messageId ?? '',
          inReplyTo: message.envelope?.inReplyTo ?? '',
          from: toAddresses(message.envelope?.from),
          to: toAddresses(message.envelope?.to),
          cc: toAddresses(message.envelope?.cc),
          replyTo: toAddresses(message.envelope?.replyTo),
        },
        referencesHeader: message.headers?.toString('utf8') ?? '',
        bodyStructure: message.bodyStructure ?? null,
      }));
    },
    async close() {
      await client.logout().catch(() => client.close());
    },
  };
  return { ok: true, session };
}
