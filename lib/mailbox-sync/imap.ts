import { type FetchMessageObject, type FetchQueryObject, ImapFlow, type MessageStructureObject } from 'imapflow';
import { classifyImapError, type ImapFailure, type ImapLogin, imapFlowOptions } from '@/lib/imap/verify';
import { checkHostAllowed } from '@/lib/network/guard';

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
  /** The UID the next message will get, when the server says (it may not). */
  uidNext: number | null;
  /** CONDSTORE's HIGHESTMODSEQ, null where the server has none (then flags are compared one by one). */
  highestModseq: bigint | null;
}

/** A message's flags as the server holds them now. */
export interface RemoteFlags {
  uid: number;
  flags: string[];
}

/** What changed in the open folder since a mod-sequence (CONDSTORE, and QRESYNC's VANISHED where offered). */
export interface FolderChanges {
  changed: RemoteFlags[];
  /** Expunged UIDs, when the server reports them (QRESYNC); else empty and the caller compares UID lists. */
  vanished: number[];
}

/** Why waitForChange returned. */
export type WaitOutcome = 'changed' | 'timeout' | 'stopped' | 'closed';

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
  /** Gmail's X-GM-MSGID and X-GM-THRID (decimal), "" on other servers. */
  gmailMessageId: string;
  gmailThreadId: string;
  bodyStructure: MessageStructureObject | null;
}

export interface MailboxSession {
  listFolders(): Promise<RemoteFolder[]>;
  /** Selects the folder read-only. */
  openFolder(path: string): Promise<FolderStatus>;
  /**
   * The messages of the open folder with a UID above `afterUid`, ascending, as
   * one streamed UID FETCH: the next message is read off the socket only when
   * the consumer asks for it, so memory stays bounded whatever the folder size.
   */
  messagesAfter(afterUid: number): AsyncIterable<RemoteMessage>;
  /** Flags changed (and UIDs expunged, under QRESYNC) in the open folder since the mod-sequence. */
  changesSince(modseq: bigint): Promise<FolderChanges>;
  /** Every message's flags in the open folder: the comparison for servers without CONDSTORE. */
  allFlags(): Promise<RemoteFlags[]>;
  /** Every UID in the open folder (UID SEARCH ALL), to find what was expunged. */
  allUids(): Promise<number[]>;
  /** Messages in the open folder now, as the server's untagged EXISTS/EXPUNGE last said. */
  currentExists(): number;
  /** The folder's UIDVALIDITY without selecting it (STATUS), null if it cannot be read: renames keep it. */
  uidValidityOf(path: string): Promise<bigint | null>;
  /**
   * IDLE on the open folder until the server reports a change (new message,
   * expunge, flags), `timeoutMs` passes, `signal` aborts, or the connection drops.
   */
  waitForChange(timeoutMs: number, signal: AbortSignal): Promise<WaitOutcome>;
  close(): Promise<void>;
}

export type OpenSessionResult = { ok: true; session: MailboxSession } | { ok: false; failure: ImapFailure };

/** How long a LOGOUT may take before the connection is simply dropped. */
const LOGOUT_GRACE_MS = 5_000;

/** What a message fetch asks for; the benchmark's raw fetch asks for exactly the same. */
export const FETCH_QUERY: FetchQueryObject = {
  uid: true,
  size: true,
  internalDate: true,
  flags: true,
  envelope: true,
  bodyStructure: true,
  headers: ['references'],
  // imapflow asks X-GM-MSGID / X-GM-THRID only where the server offers them (Gmail), else OBJECTID's ids.
  emailId: true,
  threadId: true,
};

const toAddresses = (list: { name?: string; address?: string }[] | undefined): Address[] =>
  (list ?? []).map((entry) => ({ name: entry.name ?? '', email: (entry.address ?? '').toLowerCase() }));

/** Copies out what the sync keeps, so imapflow's message object can be collected at once. */
function toRemoteMessage(message: FetchMessageObject, isGmail: boolean): RemoteMessage {
  return {
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
    // OBJECTID's EMAILID/THREADID are server-private: only Gmail's ids are ones a client may send back.
    gmailMessageId: isGmail ? (message.emailId ?? '') : '',
    gmailThreadId: isGmail ? (message.threadId ?? '') : '',
  };
}

export async function openMailboxSession(
  login: ImapLogin,
  options: {
    allowPrivateHosts: boolean;
    timeoutMs?: number;
    /** A live session idles: the socket may stay quiet this long before it counts as dead. */
    idleSocketTimeoutMs?: number;
  },
): Promise<OpenSessionResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const hostCheck = await checkHostAllowed(login.server, options.allowPrivateHosts, { timeoutMs });
  if (!hostCheck.ok) return { ok: false, failure: hostCheck.failure };
  // Wakes a waitForChange; expunges reported as VANISHED (QRESYNC) are collected for changesSince.
  let waiter: (() => void) | null = null;
  // A change reported while no one waits (mid-pass) makes the next wait return at once: never missed.
  let hasPendingChange = false;
  const wake = () => {
    if (waiter) waiter();
    else hasPendingChange = true;
  };
  let vanished: number[] = [];
  const client = new ImapFlow({
    ...imapFlowOptions(login, hostCheck.address, timeoutMs),
    ...(options.idleSocketTimeoutMs && { socketTimeout: options.idleSocketTimeoutMs }),
    // IDLE is re-issued before servers' 30-minute cut-off (RFC 2177) and NAT timeouts.
    maxIdleTime: 4 * 60_000,
    qresync: true,
    expungeHandler: async (event) => {
      if (event.vanished && event.uid) vanished.push(event.uid);
      wake();
    },
  });
  // Failures arrive through the rejected calls; an unheard 'error' event would crash the worker.
  client.on('error', () => {});
  client.on('exists', wake);
  client.on('flags', wake);
  client.on('close', wake);
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

  let hasAbandonedFetch = false;
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
      vanished = [];
      return {
        uidValidity: BigInt(mailbox.uidValidity),
        exists: mailbox.exists,
        uidNext: mailbox.uidNext || null,
        highestModseq: mailbox.noModseq || !mailbox.highestModseq ? null : BigInt(mailbox.highestModseq),
      };
    },
    async changesSince(modseq) {
      vanished = [];
      const changed: RemoteFlags[] = [];
      // UID FETCH 1:* (FLAGS) (CHANGEDSINCE m VANISHED): only what moved, plus expunged UIDs under QRESYNC.
      for await (const message of client.fetch(
        '1:*',
        { uid: true, flags: true },
        { uid: true, changedSince: modseq },
      )) {
        changed.push({ uid: message.uid, flags: [...(message.flags ?? [])] });
      }
      const gone = vanished;
      vanished = [];
      return { changed, vanished: gone };
    },
    async allFlags() {
      if (!client.mailbox || client.mailbox.exists === 0) return [];
      const all: RemoteFlags[] = [];
      for await (const message of client.fetch('1:*', { uid: true, flags: true }, { uid: true })) {
        all.push({ uid: message.uid, flags: [...(message.flags ?? [])] });
      }
      return all;
    },
    async allUids() {
      if (!client.mailbox || client.mailbox.exists === 0) return [];
      return (await client.search({ all: true }, { uid: true })) || [];
    },
    currentExists() {
      return client.mailbox ? client.mailbox.exists : 0;
    },
    async uidValidityOf(path) {
      const status = await client.status(path, { uidValidity: true }).catch(() => null);
      const uidValidity = status ? status.uidValidity : undefined;
      return uidValidity ? BigInt(uidValidity) : null;
    },
    async waitForChange(timeoutMs, signal) {
      if (!client.usable) return 'closed';
      if (signal.aborted) return 'stopped';
      if (hasPendingChange) {
        hasPendingChange = false;
        return 'changed';
      }
      let timer: NodeJS.Timeout | undefined;
      let onAbort: (() => void) | undefined;
      const outcome = await new Promise<WaitOutcome>((resolve) => {
        waiter = () => resolve(client.usable ? 'changed' : 'closed');
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
        onAbort = () => resolve('stopped');
        signal.addEventListener('abort', onAbort, { once: true });
        // IDLE ends by itself when the next command is sent; a failure here is a dropped connection.
        client.idle().catch(() => resolve('closed'));
      });
      waiter = null;
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
      return outcome;
    },
    async *messagesAfter(afterUid) {
      if (!client.mailbox || client.mailbox.exists === 0) return;
      let isComplete = false;
      const isGmail = client.capabilities.has('X-GM-EXT-1');
      try {
        for await (const message of client.fetch(`${afterUid + 1}:*`, FETCH_QUERY, { uid: true })) {
          // `n:*` always matches the highest UID, even below n: skip it.
          if (message.uid > afterUid) yield toRemoteMessage(message, isGmail);
        }
        isComplete = true;
      } finally {
        // A consumer that stopped early leaves the FETCH running on the wire: drop the connection on close.
        if (!isComplete) hasAbandonedFetch = true;
      }
    },
    async close() {
      if (hasAbandonedFetch) {
        client.close();
        return;
      }
      // A LOGOUT the server leaves unanswered must not hold a worker's stop or hand-over for the socket timeout
      // (ten minutes on a live session): after a short grace the socket is dropped, which logs out too.
      let timer: NodeJS.Timeout | undefined;
      const graceOver = new Promise<boolean>((resolve) => {
        timer = setTimeout(resolve, Math.min(LOGOUT_GRACE_MS, timeoutMs), false);
      });
      const loggedOut = client.logout().then(
        () => true,
        () => false,
      );
      const isClean = await Promise.race([loggedOut, graceOver]);
      clearTimeout(timer);
      if (!isClean) client.close();
    },
  };
  return { ok: true, session };
}
