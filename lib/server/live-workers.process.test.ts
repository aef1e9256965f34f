import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { plainMessage } from '@/e2e/fixtures/mailbox';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { syncLocalMailbox } from '@/lib/mailbox-sync/testing';
import { createWebhook } from '@/lib/webhooks/mutations';
import { createWebhookInput } from '@/lib/webhooks/schema';
import { postgresWorkers, waitUntil } from '@/scripts/testing';

/**
 * `npm run worker` processes sharing 50 live mailboxes on PostgreSQL, as
 * operators run them: one is SIGKILLed while holding live sources and the other
 * takes them over within 60 s, storing the mail that arrived meanwhile exactly
 * once and POSTing each new message to the webhook exactly once by delivery id
 * (the receiver de-duplicates on X-Mailport-Delivery-Id, as a partner would);
 * a SIGTERMed one hands its sources over at once.
 */

const PASSWORD = 'takeover-password';
const SOURCES = 50;
const LEASE_SECONDS = 6;
const hasPostgres = !!process.env.MAILPORT_TEST_DATABASE_URL;

const message = (id: string, subject: string) => plainMessage(id, subject);

describe.skipIf(!hasPostgres)('live mailboxes across npm run worker processes on PostgreSQL', () => {
  let dovecot: DovecotServer;
  let database: TestDatabase;
  let workers: Awaited<ReturnType<typeof postgresWorkers>>;
  const sources: { sourceId: string; user: string }[] = [];
  let receiver: Server;
  /** What the receiver kept: the first body of each delivery id (a repeat is an at-least-once retry). */
  const deliveries = new Map<string, { messageId: string; emailMessageId: string }>();
  let repeats = 0;

  beforeAll(async () => {
    receiver = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      request.on('end', () => {
        const id = String(request.headers['x-mailport-delivery-id']);
        const data = JSON.parse(text).message_data;
        const seen = deliveries.get(id);
        if (seen) {
          repeats += 1;
          // The same delivery id must always be the same message.
          if (seen.messageId !== data.message_id) seen.messageId = `CONFLICT ${seen.messageId} / ${data.message_id}`;
        } else deliveries.set(id, { messageId: data.message_id, emailMessageId: data.email_message_id });
        response.writeHead(200).end('ok');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    // IDLE hears of new mail through inotify; when the machine's Dovecots have used up the dovecot user's
    // inotify instances (128 by default), Dovecot re-checks every mailbox_idle_check_interval instead: 1 s, not 30.
    dovecot = await startDovecot({ extraConfig: 'mailbox_idle_check_interval = 1 secs' });
    for (let i = 0; i < SOURCES; i++) await dovecot.addUser(`takeover-${i}@mailport.test`, PASSWORD);
    database = await openTestDatabase('postgres');
    workers = await postgresWorkers(database, {
      MAILPORT_LIVE_LEASE_SECONDS: String(LEASE_SECONDS),
      // Only IDLE can bring the new mail in time: the poll is five minutes away.
      MAILPORT_POLL_SECONDS: '300',
    });
    const developer = await createDeveloperKey(database.db, { email: 'takeover@example.com', appName: 'Takeover' });
    // An application-level webhook: every new message of every source.
    const port = (receiver.address() as AddressInfo).port;
    const hook = createWebhookInput.parse({ callback_url: `http://127.0.0.1:${port}/hook` });
    const created = await createWebhook(
      database.db,
      developer.developerId,
      { accountId: null },
      hook,
      {
        allowPrivateHosts: true,
      },
      new Date(),
    );
    expect(created.ok).toBe(true);
    for (let i = 0; i < SOURCES; i++) {
      const user = `takeover-${i}@mailport.test`;
      await dovecot.appendMessage(user, 'INBOX', message(`first-${i}`, `First ${i}`));
      const source = await connectLocalMailbox(database.db, developer.developerId, {
        email: user,
        password: PASSWORD,
        port: dovecot.port,
      });
      const synced = await syncLocalMailbox(database.db, source.sourceId);
      expect(synced.outcome).toBe('done');
      sources.push({ sourceId: source.sourceId, user });
    }
  });
  afterAll(async () => {
    await workers?.stopAll();
    await database?.close();
    await dovecot?.stop();
    workers?.remove();
    receiver?.closeAllConnections();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  const startWorker = () => workers.start();
  /** What a timeout reports: CI keeps only the end of the log, so the workers' state goes into the error itself. */
  async function describeWorkers(): Promise<string> {
    const rows = await database.db.liveWorker.findMany();
    return `${workers.describe()}\nlive_workers: ${JSON.stringify(rows)}`;
  }

  const leases = () => database.db.sourceLease.findMany({ select: { sourceId: true, ownerId: true, expiresAt: true } });
  const ownedBy = (worker: ChildProcess) => (lease: { ownerId: string }) => lease.ownerId.includes(`:${worker.pid}:`);

  const waitFor = <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000) =>
    waitUntil(what, read, done, { timeoutMs, report: describeWorkers });

  it('50 sources: a SIGKILLed worker’s are taken over within 60 s, mail stored once and POSTed to the webhook once; SIGTERM hands over at once', async () => {
    const a = startWorker();
    const b = startWorker();
    await waitFor(
      'both workers to share the sources',
      leases,
      (rows) => rows.length === SOURCES && rows.some(ownedBy(a)) && rows.some(ownedBy(b)),
    );
    const ofA = (await leases()).filter(ownedBy(a)).map((lease) => lease.sourceId);

    const killedAt = Date.now();
    await workers.kill(a);
    // Mail for every mailbox while one worker lies dead: its sources have no IDLE until the takeover.
    for (const [i, source] of sources.entries()) {
      await dovecot.deliverMessage(source.user, 'INBOX', message(`second-${i}`, `Second ${i}`));
    }
    await waitFor(
      'the survivor to hold every source',
      leases,
      (rows) => rows.length === SOURCES && rows.every(ownedBy(b)),
    );
    const takeoverMs = Date.now() - killedAt;
    expect(takeoverMs).toBeLessThan(60_000);
    await waitFor(
      'the new mail of every source',
      () => database.db.message.count({ where: { emailMessageId: { startsWith: '<second-' } } }),
      (count) => count === SOURCES,
      30_000,
    );
    for (let i = 0; i < SOURCES; i++) {
      expect(await database.db.message.count({ where: { emailMessageId: `<second-${i}@test>` } })).toBe(1);
      expect(await database.db.message.count({ where: { emailMessageId: `<first-${i}@test>` } })).toBe(1);
    }
    expect(ofA.length).toBeGreaterThan(0);
    // Every message that arrived while a worker lay dead reaches the webhook, each under one delivery id only.
    const delivered = (prefix: string) =>
      [...deliveries.values()].filter((entry) => entry.emailMessageId.startsWith(prefix));
    await waitFor(
      'a webhook delivery per new message',
      async () => delivered('<second-').length,
      (n) => n >= SOURCES,
    );
    const second = delivered('<second-');
    expect(second.filter((entry) => entry.messageId.startsWith('CONFLICT'))).toEqual([]);
    expect(new Set(second.map((entry) => entry.emailMessageId)).size).toBe(SOURCES);
    expect(second).toHaveLength(SOURCES);

    // Graceful: SIGTERM releases the leases as it logs out; the other worker takes them at its next round.
    const c = startWorker();
    await waitFor('the newcomer to get its share', leases, (rows) => rows.some(ownedBy(c)));
    const stoppedAt = Date.now();
    const exited = new Promise<number | null>((resolve) => b.once('exit', resolve));
    b.kill('SIGTERM');
    await waitFor(
      'the newcomer to hold every source',
      leases,
      (rows) => rows.length === SOURCES && rows.every(ownedBy(c)),
      20_000,
    );
    const handoverMs = Date.now() - stoppedAt;
    expect(await exited).toBe(0);
    // Far below the lease: released, not expired.
    expect(handoverMs).toBeLessThan(LEASE_SECONDS * 1000);
    await dovecot.deliverMessage(sources[0]!.user, 'INBOX', message('third-0', 'Third 0'));
    await waitFor(
      'mail after the handover',
      () => database.db.message.count({ where: { emailMessageId: '<third-0@test>' } }),
      (count) => count === 1,
      15_000,
    );
    await waitFor(
      'the webhook delivery after the handover',
      async () => delivered('<third-').length,
      (n) => n >= 1,
    );
    // Nothing delivered under two ids, nothing under one id for two messages, no history delivered.
    const all = [...deliveries.values()];
    expect(all.filter((entry) => entry.messageId.startsWith('CONFLICT'))).toEqual([]);
    expect(new Set(all.map((entry) => entry.messageId)).size).toBe(all.length);
    expect(all).toHaveLength(SOURCES + 1);
    expect(await database.db.callbackDelivery.count({ where: { event: 'message_new' } })).toBe(SOURCES + 1);
    console.log(
      `takeover after SIGKILL: ${takeoverMs} ms; handover after SIGTERM: ${handoverMs} ms; ` +
        `${all.length} webhook deliveries, ${repeats} repeated (de-duplicated by id)`,
    );
  }, 180_000);
});
