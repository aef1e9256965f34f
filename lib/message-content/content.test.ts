import { createHash } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { CONTENT, contentMessages, largeAttachment } from '@/e2e/fixtures/mailbox';
import { findAccount } from '@/lib/accounts/data';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { findFile, listRelatedFiles } from '@/lib/files/data';
import { openJobQueue } from '@/lib/jobs/queue';
import { openMailboxSession } from '@/lib/mailbox-sync/imap';
import { runSourceSync } from '@/lib/mailbox-sync/run';
import { findMessage, listMessages } from '@/lib/messages/data';
import { listThreadIds, listThreadMessages } from '@/lib/threads/data';
import { serializeThread } from '@/lib/threads/serialize';
import { createContentCache } from './cache';
import {
  type ContentServices,
  flagsJsonOf,
  openFileContent,
  openMessageSource,
  readContentFor,
  readMessageBody,
  readMessageFlags,
  readMessageHeaders,
} from './content';
import { listMessageFolders, locateFile, locateMessage, locateMessages } from './data';
import { createMailboxReader, type MailboxReader } from './imap';
import { changeMessageFlags } from './mutations';

/** Message content read live from a real Dovecot, on PGlite and PostgreSQL. */

const PASSWORD = 'content-test-password';
let dovecot: DovecotServer;

/** A TCP relay in front of Dovecot that counts connections and the bytes the server sent. */
interface CountingProxy {
  port: number;
  bytesFromServer: number;
  connections: number;
  open: number;
  close(): Promise<void>;
}

async function startProxy(targetPort: number): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  const proxy: CountingProxy = { port: 0, bytesFromServer: 0, connections: 0, open: 0, close: async () => {} };
  const server: Server = createServer((client) => {
    proxy.connections += 1;
    proxy.open += 1;
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    upstream.on('data', (chunk: Buffer) => {
      proxy.bytesFromServer += chunk.length;
    });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.once('close', () => {
      proxy.open -= 1;
      end();
    });
    upstream.once('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.port = (server.address() as { port: number }).port;
  proxy.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return proxy;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  dovecot = await startDovecot();
  for (const kind of testDatabaseKinds()) await dovecot.addUser(`content-${kind}@mailport.test`, PASSWORD);
  for (const kind of testDatabaseKinds()) {
    await dovecot.appendMessages(`content-${kind}@mailport.test`, 'INBOX', contentMessages());
  }
});
afterAll(async () => {
  await dovecot?.stop();
});

describe.each(testDatabaseKinds())('message content on %s', (kind) => {
  const user = `content-${kind}@mailport.test`;
  let database: TestDatabase;
  let queue: Awaited<ReturnType<typeof openJobQueue>>;
  let proxy: CountingProxy;
  let reader: MailboxReader & { close(): Promise<void> };
  let services: ContentServices;
  let developerId: string;
  let accountId: string;

  const account = async () => (await findAccount(database.db, developerId, accountId)) ?? expect.unreachable('account');
  const locate = async (messageId: string) =>
    (await locateMessage(database.db, await account(), messageId)) ?? expect.unreachable(messageId);
  const body = async (messageId: string, type?: 'text/plain' | 'text/html') => {
    const read = await readMessageBody(await locate(messageId), { type, sourcePath: '/source' }, services);
    if (!read.ok) throw new Error(`body of ${messageId}: ${read.reason}`);
    return read.body;
  };
  /** A second, independent IMAP client, as another mail program would be. */
  const otherClient = async () => {
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: dovecot.port,
      secure: false,
      auth: { user, pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    return client;
  };

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    queue = await openJobQueue(database, { supervise: false });
    const key = await createDeveloperKey(database.db, { email: `content-${kind}@example.com`, appName: 'Content' });
    developerId = key.developerId;
    proxy = await startProxy(dovecot.port);
    // The source reaches Dovecot through the counting relay.
    const source = await connectLocalMailbox(
      database.db,
      developerId,
      { email: user, password: PASSWORD, port: proxy.port },
      { source_sync_flags: '1' },
    );
    accountId = source.accountId;
    const synced = await runSourceSync(database.db, source.sourceId, {
      openSession: (login) => openMailboxSession(login, { allowPrivateHosts: true }),
      now: () => new Date(),
      budgetMs: 60_000,
      isLastAttempt: false,
    });
    expect(synced).toMatchObject({ outcome: 'done', messagesStored: 5 + CONTENT.thread.replies + 1 });
    reader = createMailboxReader({ size: 2, timeoutMs: 5_000, allowPrivateHosts: true });
    services = {
      reader,
      cache: createContentCache({ maxBytes: 0, maxAgeMs: 0 }),
      maxInlineBytes: 1024 * 1024,
      parallelReads: 2,
    };
  });
  afterAll(async () => {
    await reader?.close();
    await proxy?.close();
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  it('reads multipart/alternative bodies as the sender wrote them, and filters by type', async () => {
    const parts = await body(CONTENT.alternative.messageId);
    expect(parts).toEqual([
      { type: 'text/plain', charset: 'utf-8', content: CONTENT.alternative.plain, body_section: '1' },
      { type: 'text/html', charset: 'utf-8', content: CONTENT.alternative.html, body_section: '2' },
    ]);
    expect(await body(CONTENT.alternative.messageId, 'text/html')).toEqual([parts[1]]);
  });

  it('reads the text of nested multiparts, not of attached messages, and streams their attachments', async () => {
    const parts = await body(CONTENT.nested.messageId);
    expect(parts.map((part) => [part.type, part.body_section, part.content.trim()])).toEqual([
      ['text/plain', '1.1', CONTENT.nested.plain],
      ['text/html', '1.2', CONTENT.nested.html],
    ]);
    const message = await findMessage(database.db, await account(), CONTENT.nested.messageId);
    const pdf = message?.files.find((file) => file.fileName === CONTENT.nested.pdfName);
    const file = (await locateFile(database.db, await account(), pdf?.id ?? '')) ?? expect.unreachable('file');
    const opened = await openFileContent(file, services);
    if (!opened.ok) throw new Error(opened.reason);
    expect(opened.download.contentType).toBe('application/pdf');
    expect(sha256(await readAll(opened.download.stream))).toBe(sha256(CONTENT.nested.pdf));
  });

  it('decodes ISO-8859-1 and Shift_JIS bodies to Unicode and names their charsets', async () => {
    const [latin1] = await body(CONTENT.latin1.messageId);
    expect(latin1).toMatchObject({ charset: 'ISO-8859-1', body_section: '1' });
    expect(latin1?.content.trim()).toBe(CONTENT.latin1.text);
    const [shiftJis] = await body(CONTENT.shiftJis.messageId);
    expect(shiftJis?.charset).toBe('Shift_JIS');
    expect(shiftJis?.content.trim()).toBe(CONTENT.shiftJis.text);
  });

  it('reads headers parsed and raw', async () => {
    const read = await readMessageHeaders(await locate(CONTENT.latin1.messageId), { sourcePath: '/s' }, services);
    if (!read.ok) throw new Error(read.reason);
    expect(read.parsed['message-id']).toEqual([CONTENT.latin1.messageId]);
    expect(read.parsed['content-type']).toEqual(['text/plain; charset=ISO-8859-1']);
    expect(read.raw).toMatch(/^From: Dan <dan@example\.org>\r\n/);
    expect(read.raw).toContain(`Message-ID: ${CONTENT.latin1.messageId}\r\n`);
  });

  it('streams the RFC 822 source exactly as appended', async () => {
    const opened = await openMessageSource(await locate(CONTENT.latin1.messageId), services);
    if (!opened.ok) throw new Error(opened.reason);
    const appended = contentMessages()[2]?.rfc822 ?? '';
    expect((await readAll(opened.download.stream)).toString('latin1')).toBe(appended);
  });

  it('streams an 8 MiB attachment without fetching ahead of the reader', async () => {
    const message = await findMessage(database.db, await account(), CONTENT.large.messageId);
    const big = message?.files.find((file) => file.fileName === CONTENT.large.fileName);
    const file = (await locateFile(database.db, await account(), big?.id ?? '')) ?? expect.unreachable('file');
    const before = proxy.bytesFromServer;
    const opened = await openFileContent(file, services);
    if (!opened.ok) throw new Error(opened.reason);

    // The reader takes one chunk and stops: the server must stop sending soon after (backpressure), far short of 8 MiB.
    const iterator = opened.download.stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.done).toBe(false);
    let last = -1;
    let stableFor = 0;
    await vi.waitFor(
      () => {
        stableFor = proxy.bytesFromServer === last ? stableFor + 1 : 0;
        last = proxy.bytesFromServer;
        if (stableFor < 3) throw new Error('still receiving');
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(proxy.bytesFromServer - before).toBeLessThan(2 * 1024 * 1024);

    const hash = createHash('sha256').update(Buffer.from(first.value as Buffer));
    let received = (first.value as Buffer).length;
    await pipeline(
      { [Symbol.asyncIterator]: () => iterator },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          hash.update(chunk);
          received += chunk.length;
          done();
        },
      }),
    );
    expect(received).toBe(CONTENT.large.bytes);
    expect(hash.digest('hex')).toBe(sha256(largeAttachment()));
    // Base64 on the wire is 4/3 of the file: all of it came through the relay, in chunks.
    expect(proxy.bytesFromServer - before).toBeGreaterThan(CONTENT.large.bytes);
  });

  it('sets flags on the server, visible from a second IMAP client, and in our copy', async () => {
    const message = await locate(CONTENT.alternative.messageId);
    const changed = await changeMessageFlags(
      database.db,
      message,
      { seen: true, flagged: true, answered: true },
      services,
    );
    if (!changed.ok) throw new Error(changed.reason);
    expect(flagsJsonOf(changed.flags)).toEqual({
      seen: true,
      answered: true,
      flagged: true,
      deleted: false,
      draft: false,
    });

    const client = await otherClient();
    try {
      await client.mailboxOpen('INBOX', { readOnly: true });
      const seenThere = await client.fetchOne(String(message.at.uid), { flags: true }, { uid: true });
      expect([...(seenThere ? (seenThere.flags ?? []) : [])].sort()).toEqual(['\\Answered', '\\Flagged', '\\Seen']);
      // And the other way round: a change made elsewhere is what GET …/flags reads.
      await client.mailboxOpen('INBOX');
      await client.messageFlagsRemove(String(message.at.uid), ['\\Flagged'], { uid: true });
    } finally {
      await client.logout();
    }
    const read = await readMessageFlags(message, services);
    expect(read.ok && flagsJsonOf(read.flags)).toMatchObject({ seen: true, flagged: false });

    const row = await findMessage(database.db, await account(), message.id);
    expect(row?.flags.sort()).toEqual(['\\Flagged', '\\Seen']);
    const cleared = await changeMessageFlags(database.db, message, { seen: false, answered: false }, services);
    expect(cleared.ok && flagsJsonOf(cleared.flags)).toMatchObject({ seen: false, answered: false, flagged: false });
    expect((await findMessage(database.db, await account(), message.id))?.flags).toEqual([]);
  });

  it('names a message by id, Message-ID (bare, bracketed, URL-encoded) and Gmail id', async () => {
    const byId = await locate(CONTENT.latin1.messageId);
    const owned = await account();
    const forms = ['<latin1@content.test>', 'latin1@content.test', '%3Clatin1%40content.test%3E', byId.id];
    for (const form of forms) expect((await locateMessage(database.db, owned, form))?.id, form).toBe(byId.id);
    expect(await locateMessage(database.db, owned, '<nobody@content.test>')).toBeNull();
    expect(await locateMessage(database.db, owned, 'not a message id')).toBeNull();
    // Dovecot is not Gmail: give the row the id Gmail's X-GM-MSGID would have given it.
    await database.db.message.update({ where: { id: byId.id }, data: { gmailMessageId: '1278455344230334865' } });
    expect((await locateMessage(database.db, owned, 'gm-1278455344230334865'))?.id).toBe(byId.id);
    // Another developer's account never resolves it.
    const other = await createDeveloperKey(database.db, { email: `other-${kind}@example.com`, appName: 'Other' });
    expect(await findAccount(database.db, other.developerId, accountId)).toBeNull();
  });

  it('follows a thread of five replies, in order, by our thread id and from any message of it', async () => {
    const owned = await account();
    const reply = await findMessage(database.db, owned, '<t3@content.test>');
    const messages = await listThreadMessages(database.db, owned, { kind: 'id', threadId: reply?.threadId ?? '' });
    const thread = serializeThread(messages, 'https://m.example');
    expect(thread.email_message_ids).toEqual(Array.from({ length: 6 }, (_, i) => `<t${i}@content.test>`));
    expect(Object.keys(thread.person_info).sort()).toEqual(['alice@example.org', 'jane@mailport.test']);
    const threads = await listThreadIds(database.db, owned, { limit: 100, offset: 0 });
    expect(threads[0]).toBe(reply?.threadId); // the most recently active first
    expect(threads).toHaveLength(6); // five single messages and the thread
    expect(await listThreadIds(database.db, owned, { limit: 2, offset: 5 })).toHaveLength(1);
  });

  it('lists folders and related files', async () => {
    const owned = await account();
    expect(await listMessageFolders(database.db, owned, CONTENT.latin1.messageId)).toEqual([
      { name: 'INBOX', specialUse: '\\Inbox', delimiter: '/' },
    ]);
    const message = await findMessage(database.db, owned, CONTENT.nested.messageId);
    const file = await findFile(database.db, owned, message?.files[0]?.id ?? '');
    expect(await listRelatedFiles(database.db, owned, file ?? expect.unreachable('file'))).toEqual([]);
  });

  it('adds bodies and headers to a list with reads in parallel, never above the pool size', async () => {
    const owned = await account();
    const rows = await listMessages(database.db, owned, { limit: 100, offset: 0 });
    const located = await locateMessages(
      database.db,
      owned,
      rows.filter((row) => row.emailMessageId !== CONTENT.large.messageId).map((row) => row.id),
    );
    const connectionsBefore = proxy.connections;
    let peakOpen = 0;
    const watch = setInterval(() => {
      peakOpen = Math.max(peakOpen, proxy.open);
    }, 1);
    // Several list requests at once: 4 × 10 messages, two connections in all.
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        readContentFor(located, { include_body: true, include_headers: 'parsed' }, () => '/s', services),
      ),
    );
    clearInterval(watch);
    for (const result of results) {
      if (!result.ok) throw new Error(result.reason);
      expect(result.byId.size).toBe(located.length);
      const latin1 = located.find((message) => message.id === rows.find((row) => row.subject === 'Latin-1')?.id);
      expect(result.byId.get(latin1?.id ?? '')?.body?.[0]?.content.trim()).toBe(CONTENT.latin1.text);
    }
    expect(peakOpen).toBeLessThanOrEqual(2 + 1); // the pool's two, plus the sync's own already closing
    expect(proxy.connections - connectionsBefore).toBeLessThanOrEqual(2);
  });

  it('serves a cached body without asking the server, until it expires', async () => {
    let clock = 0;
    const calls: string[] = [];
    const counting: MailboxReader = {
      ...reader,
      structure: (target, at) => {
        calls.push('structure');
        return reader.structure(target, at);
      },
    };
    const cached: ContentServices = {
      ...services,
      reader: counting,
      cache: createContentCache({ maxBytes: 1024 * 1024, maxAgeMs: 1000, now: () => clock }),
    };
    const message = await locate(CONTENT.alternative.messageId);
    const first = await readMessageBody(message, { sourcePath: '/s' }, cached);
    const second = await readMessageBody(message, { sourcePath: '/s' }, cached);
    expect(second).toEqual(first);
    expect(calls).toHaveLength(1);
    clock = 1001;
    await readMessageBody(message, { sourcePath: '/s' }, cached);
    expect(calls).toHaveLength(2);
  });

  it('refuses a body above the inline limit and points to the source', async () => {
    const message = await locate(CONTENT.alternative.messageId);
    const read = await readMessageBody(message, { sourcePath: '/x/source' }, { ...services, maxInlineBytes: 10 });
    expect(read).toMatchObject({ ok: false, reason: 'content_too_large', limit: 10, instead: '/x/source' });
  });

  it('answers message_gone for a message expunged on the server, and drops it from the cache', async () => {
    const message = await locate(CONTENT.shiftJis.messageId);
    const cached: ContentServices = {
      ...services,
      cache: createContentCache({ maxBytes: 1024 * 1024, maxAgeMs: 60_000 }),
    };
    expect((await readMessageBody(message, { sourcePath: '/s' }, cached)).ok).toBe(true);
    const client = await otherClient();
    try {
      await client.mailboxOpen('INBOX');
      await client.messageDelete(String(message.at.uid), { uid: true });
    } finally {
      await client.logout();
    }
    expect(await readMessageBody(message, { sourcePath: '/s' }, services)).toEqual({
      ok: false,
      reason: 'message_gone',
    });
    // A cache hit does not ask the server; the first read that learns the message is gone evicts it.
    expect((await readMessageBody(message, { sourcePath: '/s' }, cached)).ok).toBe(true);
    expect(await openMessageSource(message, cached)).toEqual({ ok: false, reason: 'message_gone' });
    expect(await readMessageBody(message, { sourcePath: '/s' }, cached)).toEqual({ ok: false, reason: 'message_gone' });
    expect(await readMessageFlags(message, services)).toEqual({ ok: false, reason: 'message_gone' });
  });

  it('answers imap_unavailable, not a hang, when the server is down or silent', async () => {
    const message = await locate(CONTENT.latin1.messageId);
    // A server that accepts connections and never says a word.
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const silentPort = (silent.address() as { port: number }).port;
    const silentReader = createMailboxReader({ size: 1, timeoutMs: 500, allowPrivateHosts: true });
    const started = Date.now();
    try {
      const read = await readMessageBody(
        {
          ...message,
          target: { key: 'silent', login: async () => ({ ...(await message.target.login()), port: silentPort }) },
        },
        { sourcePath: '/s' },
        { ...services, reader: silentReader },
      );
      expect(read).toMatchObject({
        ok: false,
        reason: 'imap_unavailable',
        message: expect.stringContaining('timeout'),
      });
      expect(Date.now() - started).toBeLessThan(5_000);
      // Nothing listens: refused at once.
      silent.close();
      const refused = await readMessageBody(
        {
          ...message,
          target: { key: 'down', login: async () => ({ ...(await message.target.login()), port: silentPort }) },
        },
        { sourcePath: '/s' },
        { ...services, reader: silentReader },
      );
      expect(refused).toMatchObject({ ok: false, reason: 'imap_unavailable' });
      expect(JSON.stringify(refused)).not.toContain(PASSWORD);
    } finally {
      silent.close();
      await silentReader.close();
    }
  });
});
