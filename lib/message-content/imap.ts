import type { Readable } from 'node:stream';
import { ImapFlow, type MessageStructureObject } from 'imapflow';
import { classifyImapError, type ImapLogin, imapFlowOptions } from '@/lib/imap/verify';
import { checkHostAllowed } from '@/lib/network/guard';

/**
 * Live reads of one stored message from its IMAP server, over a small pool of
 * logged-in connections per source. The interface is all the rest of
 * lib/message-content sees; imapflow stays in this file.
 */

/** Where a synced message lives: its folder, UID and the UIDVALIDITY the UID belongs to. */
export interface MessageLocation {
  folder: string;
  uid: number;
  uidValidity: bigint | null;
}

/** The server to read from: a source's login, and a key that changes when its settings or password do. */
export interface MailboxTarget {
  key: string;
  /** May refresh an OAuth2 access token; throws MailboxUnavailableError when there is no login. */
  login: () => Promise<ImapLogin>;
}

export interface PartDownload {
  stream: Readable;
  contentType: string;
  fileName: string;
  /** Decoded bytes when the server says, else the encoded size. */
  size: number;
}

/** Everything lib/message-content asks of a mailbox; null: the message is no longer there. */
export interface MailboxReader {
  structure(target: MailboxTarget, at: MessageLocation): Promise<MessageStructureObject | null>;
  /** Raw BODY.PEEK sections, e.g. `header`, `1.mime`, `1.2`, `text` (keys lower-case). */
  sections(target: MailboxTarget, at: MessageLocation, keys: string[]): Promise<Map<string, Buffer> | null>;
  flags(target: MailboxTarget, at: MessageLocation): Promise<string[] | null>;
  /** Adds and removes flags, then answers the flags the server now holds. */
  changeFlags(
    target: MailboxTarget,
    at: MessageLocation,
    change: { add: string[]; remove: string[] },
  ): Promise<string[] | null>;
  /** The RFC 822 message, streamed in chunks as the consumer reads. */
  source(target: MailboxTarget, at: MessageLocation): Promise<PartDownload | null>;
  /** One body part, transfer encoding decoded, streamed. */
  part(target: MailboxTarget, at: MessageLocation, part: string): Promise<PartDownload | null>;
}

/** The server could not be reached, refused the login, or did not answer in time. */
export class MailboxUnavailableError extends Error {
  override name = 'MailboxUnavailableError';
}

/** The folder or UID is gone, or the folder was renumbered (UIDVALIDITY changed). */
class MessageGoneSignal extends Error {}

export interface PoolOptions {
  size: number;
  timeoutMs: number;
  allowPrivateHosts: boolean;
  /** Idle connections are logged out after this. */
  idleMs?: number;
}

interface Pool {
  idle: ImapFlow[];
  busy: number;
  waiting: ((client: ImapFlow | Error) => void)[];
}

/** A pool of connections per target, handed out one request at a time (each request SELECTs its folder). */
export function createMailboxReader(options: PoolOptions): MailboxReader & { close(): Promise<void> } {
  const pools = new Map<string, Pool>();
  const idleMs = options.idleMs ?? 60_000;
  const idleTimers = new Map<ImapFlow, NodeJS.Timeout>();

  const poolOf = (key: string): Pool => {
    let pool = pools.get(key);
    if (!pool) {
      pool = { idle: [], busy: 0, waiting: [] };
      pools.set(key, pool);
    }
    return pool;
  };

  async function connect(target: MailboxTarget): Promise<ImapFlow> {
    const login = await target.login();
    const hostCheck = await checkHostAllowed(login.server, options.allowPrivateHosts, { timeoutMs: options.timeoutMs });
    if (!hostCheck.ok) throw new MailboxUnavailableError(`${login.server}: ${hostCheck.failure}`);
    const client = new ImapFlow({
      ...imapFlowOptions(login, hostCheck.address, options.timeoutMs),
      // Idle pooled sockets and slow consumers of a stream are not failures; hung commands are timed below.
      socketTimeout: Math.max(idleMs, options.timeoutMs) * 2,
    });
    client.on('error', () => {});
    try {
      await withTimeout(client.connect(), options.timeoutMs, () => client.close());
    } catch (error) {
      client.close();
      const failure =
        error instanceof TimeoutSignal
          ? 'timeout'
          : classifyImapError(error, {
              secure: login.tlsMode === 'TLS',
              loginDisabled: client.capabilities.has('LOGINDISABLED'),
            });
      throw new MailboxUnavailableError(`the mail server ${login.server} could not be reached (${failure})`);
    }
    return client;
  }

  async function lease(target: MailboxTarget): Promise<ImapFlow> {
    const pool = poolOf(target.key);
    while (pool.idle.length > 0) {
      const client = pool.idle.pop() as ImapFlow;
      clearTimeout(idleTimers.get(client));
      idleTimers.delete(client);
      if (client.usable) {
        pool.busy += 1;
        return client;
      }
    }
    if (pool.busy < options.size) {
      pool.busy += 1;
      try {
        return await connect(target);
      } catch (error) {
        pool.busy -= 1;
        wakeNext(target);
        throw error;
      }
    }
    return new Promise<ImapFlow>((resolve, reject) => {
      const timer = setTimeout(() => {
        pool.waiting.splice(pool.waiting.indexOf(waiter), 1);
        reject(new MailboxUnavailableError('every connection to the mail server is busy; try again'));
      }, options.timeoutMs);
      const waiter = (client: ImapFlow | Error) => {
        clearTimeout(timer);
        if (client instanceof Error) reject(client);
        else resolve(client);
      };
      pool.waiting.push(waiter);
    });
  }

  /** A freed slot goes to the first waiter: a pooled connection, or a new one. */
  function wakeNext(target: MailboxTarget): void {
    const pool = poolOf(target.key);
    const waiter = pool.waiting.shift();
    if (!waiter) return;
    pool.busy += 1;
    connect(target).then(waiter, (error: Error) => {
      pool.busy -= 1;
      waiter(error);
    });
  }

  function release(target: MailboxTarget, client: ImapFlow, isHealthy: boolean): void {
    const pool = poolOf(target.key);
    if (!isHealthy || !client.usable) {
      client.close();
      pool.busy -= 1;
      wakeNext(target);
      return;
    }
    const waiter = pool.waiting.shift();
    if (waiter) {
      waiter(client);
      return;
    }
    pool.busy -= 1;
    pool.idle.push(client);
    idleTimers.set(
      client,
      setTimeout(() => {
        idleTimers.delete(client);
        const index = pool.idle.indexOf(client);
        if (index >= 0) pool.idle.splice(index, 1);
        client.logout().catch(() => client.close());
      }, idleMs).unref(),
    );
  }

  async function select(client: ImapFlow, at: MessageLocation, readOnly: boolean): Promise<void> {
    const open = client.mailbox;
    if (!open || open.path !== at.folder || open.readOnly !== readOnly) {
      try {
        await client.mailboxOpen(at.folder, { readOnly });
      } catch (error) {
        if ((error as { mailboxMissing?: boolean }).mailboxMissing) throw new MessageGoneSignal();
        throw error;
      }
    }
    const mailbox = client.mailbox;
    if (!mailbox) throw new MessageGoneSignal();
    if (at.uidValidity !== null && BigInt(mailbox.uidValidity) !== at.uidValidity) throw new MessageGoneSignal();
  }

  /** Runs one bounded exchange on a leased connection; a hang or failure drops the connection. */
  async function run<T>(
    target: MailboxTarget,
    at: MessageLocation,
    readOnly: boolean,
    work: (client: ImapFlow) => Promise<T | null>,
  ): Promise<T | null> {
    const client = await lease(target);
    let isHealthy = false;
    try {
      const result = await withTimeout(
        (async () => {
          await select(client, at, readOnly);
          return work(client);
        })(),
        options.timeoutMs,
        () => client.close(),
      );
      isHealthy = true;
      return result;
    } catch (error) {
      if (error instanceof MessageGoneSignal) {
        isHealthy = true;
        return null;
      }
      if (error instanceof MailboxUnavailableError) throw error;
      throw new MailboxUnavailableError(describeFailure(error));
    } finally {
      release(target, client, isHealthy);
    }
  }

  /** A download keeps its connection until the stream ends or is dropped. */
  async function stream(
    target: MailboxTarget,
    at: MessageLocation,
    part: string | undefined,
  ): Promise<PartDownload | null> {
    const client = await lease(target);
    let isHanded = false;
    try {
      const download = await withTimeout(
        (async () => {
          await select(client, at, true);
          return client.download(String(at.uid), part, { uid: true });
        })(),
        options.timeoutMs,
        () => client.close(),
      );
      if (!download.content) return null;
      const content = download.content as Readable;
      let isDone = false;
      const finish = (isHealthy: boolean) => {
        if (isDone) return;
        isDone = true;
        release(target, client, isHealthy);
      };
      content.once('end', () => finish(true));
      // Dropped before the end (a client that went away): the FETCH may be mid-flight, so the connection goes.
      content.once('close', () => finish(false));
      content.once('error', () => finish(false));
      isHanded = true;
      const meta = download.meta;
      return {
        stream: content,
        contentType: meta.contentType ?? 'application/octet-stream',
        fileName: meta.filename ?? '',
        size: meta.expectedSize ?? 0,
      };
    } catch (error) {
      if (error instanceof MessageGoneSignal) return null;
      if (error instanceof MailboxUnavailableError) throw error;
      throw new MailboxUnavailableError(describeFailure(error));
    } finally {
      if (!isHanded) release(target, client, client.usable);
    }
  }

  const uidOf = (at: MessageLocation) => String(at.uid);

  return {
    structure: (target, at) =>
      run(target, at, true, async (client) => {
        const message = await client.fetchOne(uidOf(at), { uid: true, bodyStructure: true }, { uid: true });
        return message ? (message.bodyStructure ?? null) : null;
      }),
    sections: (target, at, keys) =>
      run(target, at, true, async (client) => {
        const wantsHeader = keys.includes('header');
        const bodyParts = keys.filter((key) => key !== 'header');
        const message = await client.fetchOne(
          uidOf(at),
          { uid: true, ...(wantsHeader && { headers: true }), ...(bodyParts.length > 0 && { bodyParts }) },
          { uid: true },
        );
        if (!message) return null;
        const found = new Map<string, Buffer>();
        if (wantsHeader && message.headers) found.set('header', message.headers);
        for (const [key, value] of message.bodyParts ?? []) found.set(key.toLowerCase(), value);
        return found;
      }),
    flags: (target, at) =>
      run(target, at, true, async (client) => {
        const message = await client.fetchOne(uidOf(at), { uid: true, flags: true }, { uid: true });
        return message ? [...(message.flags ?? [])] : null;
      }),
    changeFlags: (target, at, change) =>
      run(target, at, false, async (client) => {
        if (change.add.length > 0) await client.messageFlagsAdd(uidOf(at), change.add, { uid: true });
        if (change.remove.length > 0) await client.messageFlagsRemove(uidOf(at), change.remove, { uid: true });
        const message = await client.fetchOne(uidOf(at), { uid: true, flags: true }, { uid: true });
        return message ? [...(message.flags ?? [])] : null;
      }),
    source: (target, at) => stream(target, at, undefined),
    part: (target, at, part) => stream(target, at, part),
    async close() {
      for (const timer of idleTimers.values()) clearTimeout(timer);
      idleTimers.clear();
      const clients = [...pools.values()].flatMap((pool) => pool.idle);
      pools.clear();
      await Promise.all(clients.map((client) => client.logout().catch(() => client.close())));
    },
  };
}

function describeFailure(error: unknown): string {
  const code = (error as { code?: string })?.code;
  return code === 'ETIMEOUT' || error instanceof TimeoutSignal
    ? 'the mail server did not answer in time'
    : 'the mail server failed while reading the message';
}

class TimeoutSignal extends Error {}

/** Rejects after `ms`, first running `onTimeout` (closing the socket makes the pending command fail too). */
async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new TimeoutSignal('timeout'));
    }, ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    // The losing side may still reject later; it must not count as unhandled.
    work.catch(() => {});
  }
}
