import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as messageSource from '@/app/2.0/accounts/[id]/messages/[message_id]/source/route';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { buildMessage } from '@/e2e/fixtures/mailbox';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { useDatabaseForTesting } from '@/lib/db/client';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { getConfig, resetConfigForTests } from '@/lib/env';
import { openMailboxSession } from '@/lib/mailbox-sync/imap';
import { runSourceSync } from '@/lib/mailbox-sync/run';
import { closeContentServices } from '@/lib/message-content/content';

/**
 * Streamed answers (…/source, …/files/:id/content) hold one of the source's
 * pooled IMAP connections until their body is read or dropped. Next.js neither
 * reads nor cancels the body of a response whose client went away before the
 * handler answered, so the route wrapper drops it when the request's signal
 * says the client is gone. Found by `npm run bench`: after one 2-second round
 * of 32 connections on …/source, every content read of that mailbox waited the
 * IMAP timeout (15 s) for a 503, for good. Through the real route handler,
 * against a real Dovecot, on PGlite and PostgreSQL.
 */

const PASSWORD = 'respond-test-password';
const MESSAGE_ID = '<stream@respond.test>';
let dovecot: DovecotServer;

beforeAll(async () => {
  // The mailbox is on loopback.
  process.env.MAILPORT_ALLOW_PRIVATE_HOSTS = '1';
  resetConfigForTests();
  dovecot = await startDovecot();
  // Every user before any login: Dovecot looks at its passwd file at most once a second, so a user added
  // within the second of another's login is refused until the next one.
  for (const kind of testDatabaseKinds()) await dovecot.addUser(`respond-${kind}@mailport.test`, PASSWORD);
  for (const kind of testDatabaseKinds()) {
    const user = `respond-${kind}@mailport.test`;
    await dovecot.appendMessage(
      user,
      'INBOX',
      buildMessage({
        messageId: MESSAGE_ID,
        from: 'A <a@example.org>',
        to: user,
        subject: 'Streamed',
        date: new Date(Date.UTC(2026, 0, 1)),
        text: 'The body of a streamed message.',
        // Larger than what the response stream buffers unread, so an unread download never ends by itself.
        parts: [
          {
            type: 'application/octet-stream',
            fileName: 'big.bin',
            disposition: 'attachment',
            bytes: Buffer.alloc(1024 * 1024, 7),
          },
        ],
      }),
    );
  }
});
afterAll(async () => {
  await closeContentServices();
  await dovecot?.stop();
  delete process.env.MAILPORT_ALLOW_PRIVATE_HOSTS;
  resetConfigForTests();
});

describe.each(testDatabaseKinds())('streamed answers on %s', (kind) => {
  let database: TestDatabase;
  let key: { key: string; secret: string };
  let accountId: string;
  let messageId: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    useDatabaseForTesting(database.db, database.target);
    const developer = await createDeveloperKey(database.db, { email: `respond-${kind}@example.com`, appName: 'R' });
    key = developer;
    const source = await connectLocalMailbox(database.db, developer.developerId, {
      email: `respond-${kind}@mailport.test`,
      password: PASSWORD,
      port: dovecot.port,
    });
    accountId = source.accountId;
    const synced = await runSourceSync(database.db, source.sourceId, {
      openSession: (login) => openMailboxSession(login, { allowPrivateHosts: true }),
      now: () => new Date(),
      budgetMs: 60_000,
      isLastAttempt: false,
    });
    expect(synced).toMatchObject({ outcome: 'done', messagesStored: 1 });
    const stored = await database.db.message.findFirstOrThrow({ where: { accountId }, select: { id: true } });
    messageId = stored.id;
  });
  afterAll(async () => {
    await closeContentServices();
    await database?.close();
  });

  /** GET …/source through the route handler, signed as a Context.IO client signs it. */
  function getSource(signal?: AbortSignal): Promise<Response> {
    const url = `${getConfig().publicUrl}/2.0/accounts/${accountId}/messages/${messageId}/source`;
    const oauth = new OAuth({
      consumer: { key: key.key, secret: key.secret },
      signature_method: 'HMAC-SHA1',
      hash_function: (base, secret) => createHmac('sha1', secret).update(base).digest('base64'),
    });
    const authorization = oauth.toHeader(oauth.authorize({ url, method: 'GET' })).Authorization;
    return messageSource.GET(new Request(url, { headers: { authorization }, signal }), {
      params: Promise.resolve({ id: accountId, message_id: messageId }),
    });
  }

  /** A read after the gone clients: answered from a free connection, not after the pool's wait (15 s) with a 503. */
  async function expectPromptSource() {
    const started = Date.now();
    const response = await getSource();
    const text = await response.text();
    expect(response.status, text).toBe(200);
    expect(text).toContain(`Message-ID: ${MESSAGE_ID}`);
    expect(Date.now() - started).toBeLessThan(5_000);
  }

  it('drops the download of a client that went away before the answer, freeing its IMAP connection', async () => {
    // One more gone client than the pool has connections: each would have kept one for good.
    for (let i = 0; i <= getConfig().content.poolSize; i++) {
      const response = await getSource(AbortSignal.abort());
      // What Next.js does with it: nothing (the client is gone).
      expect(response.status).toBe(200);
    }
    await expectPromptSource();
  });

  it('drops the download of a client that goes away after the answer, before reading it', async () => {
    for (let i = 0; i <= getConfig().content.poolSize; i++) {
      const client = new AbortController();
      expect((await getSource(client.signal)).status).toBe(200);
      // Gone before Next.js started sending: its pipe never starts, so it never cancels the body.
      client.abort();
    }
    await expectPromptSource();
  });
});
