import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { plainMessage } from '@/e2e/fixtures/mailbox';
import { findAccount } from '@/lib/accounts/data';
import { type CallbackBody, isValidCallbackSignature } from '@/lib/callbacks/schema';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { type JobQueue, openJobQueue } from '@/lib/jobs/queue';
import { listSourceFolders } from '@/lib/mailbox-sync/data';
import { openMailboxSession } from '@/lib/mailbox-sync/imap';
import type { LiveMailboxOptions } from '@/lib/mailbox-sync/live';
import { serializeSourceSync } from '@/lib/mailbox-sync/serialize';
import { syncLocalMailbox } from '@/lib/mailbox-sync/testing';
import { countSyncedData, listMessages } from '@/lib/messages/data';
import { findSource } from '@/lib/sources/data';
import { createWebhook } from '@/lib/webhooks/mutations';
import { createWebhookInput, type WebhookDeliveryBody } from '@/lib/webhooks/schema';
import { type LiveSync, startLiveSync } from './live-sync';
import { startWorkers } from './worker';

/**
 * Live mailboxes against a real Dovecot, on PGlite and PostgreSQL: changes made
 * on the server (doveadm) reach the read API's functions within seconds, a
 * password changed on the server flips the source and POSTs the signed status
 * callback, and leases move between workers at once on a graceful stop.
 */

// The webhook hook (w12 fills it in): recorded here, to prove when the sync calls it.
const announced = vi.hoisted(() => [] as { sourceId: string; messageIds: string[] }[]);
vi.mock('@/lib/mailbox-sync/events', async (original) => {
  const actual = await original<typeof import('@/lib/mailbox-sync/events')>();
  return {
    ...actual,
    onMessagesArrived: async (...args: Parameters<typeof actual.onMessagesArrived>) => {
      announced.push({ sourceId: args[1].sourceId, messageIds: [...args[1].messageIds] });
      return actual.onMessagesArrived(...args);
    },
  };
});

const PASSWORD = 'live-test-password';
let dovecot: DovecotServer;
const received: CallbackBody[] = [];
/** Webhook deliveries, by the receiver's path, with the delivery id header. */
const hooks: { path: string; deliveryId: string; body: WebhookDeliveryBody }[] = [];
let receiver: Server;
let receiverUrl: string;
let hooksUrl: string;

const message = (id: string, subject: string) => plainMessage(id, subject);

beforeAll(async () => {
  // IDLE hears of new mail through inotify; when the machine's Dovecots have used up the dovecot user's
  // inotify instances (128 by default), Dovecot re-checks every mailbox_idle_check_interval instead: 1 s, not 30.
  dovecot = await startDovecot({ extraConfig: 'mailbox_idle_check_interval = 1 secs' });
  // Every user up front: Dovecot may not notice a passwd file changed twice within one second.
  for (const kind of testDatabaseKinds()) {
    for (const name of ['idle', 'poll', 'handover-a', 'handover-b', 'slow-a', 'slow-b', 'health', 'orphan']) {
      await dovecot.addUser(`${name}-${kind}@mailport.test`, PASSWORD);
    }
  }
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      if (request.url?.startsWith('/hooks/')) {
        const deliveryId = String(request.headers['x-mailport-delivery-id']);
        hooks.push({ path: request.url, deliveryId, body: JSON.parse(body) as WebhookDeliveryBody });
      } else received.push(JSON.parse(body) as CallbackBody);
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/status`;
  hooksUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});
afterAll(async () => {
  await new Promise((resolve) => receiver?.close(resolve));
  await dovecot?.stop();
});

describe.each(testDatabaseKinds())('live mailboxes on %s', (kind) => {
  let database: TestDatabase;
  let queue: JobQueue;
  let developer: { developerId: string; secret: string };
  const running: LiveSync[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    queue = await openJobQueue(database, { supervise: false });
    // Real job workers: the status callbacks below are really POSTed to the receiver.
    await startWorkers(database.db, queue, { allowPrivateHosts: true, syncJobTimeoutSeconds: 60 });
    const key = await createDeveloperKey(database.db, { email: `live-${kind}@example.com`, appName: 'Live' });
    developer = { developerId: key.developerId, secret: key.secret };
  });
  // Each test's workers stop with it: the next test's sources are its own workers' alone.
  afterEach(async () => {
    await Promise.all(running.splice(0).map((live) => live.stop()));
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  const live = (overrides: { pollMs?: number; unreachableMs?: number; runner?: Partial<LiveMailboxOptions> } = {}) => {
    const started = startLiveSync(database.db, {
      allowPrivateHosts: true,
      pollMs: overrides.pollMs ?? 60_000,
      leaseMs: 6_000,
      connectionsPerServer: 20,
      unreachableMs: overrides.unreachableMs ?? 0,
      roundMs: 200,
      runner: { backoff: { baseMs: 100, maxMs: 1000 }, ...overrides.runner },
    });
    running.push(started);
    return started;
  };

  /** A source on the Dovecot user, initially synced as the sync job would. */
  const connectAndSync = async (name: string, options: Record<string, string> = {}) => {
    const user = `${name}-${kind}@mailport.test`;
    const source = await connectLocalMailbox(
      database.db,
      developer.developerId,
      { email: user, password: PASSWORD, port: dovecot.port },
      options,
    );
    const result = await syncLocalMailbox(database.db, source.sourceId);
    expect(result.outcome).toBe('done');
    return { ...source, user };
  };
  const account = async (accountId: string) =>
    (await findAccount(database.db, developer.developerId, accountId)) ?? expect.unreachable('account');
  const messagesOf = async (accountId: string) =>
    listMessages(database.db, await account(accountId), { limit: 100, offset: 0 });
  const subjectsOf = async (accountId: string) => (await messagesOf(accountId)).map((row) => row.subject).sort();

  const webhook = async (accountId: string, input: Record<string, string>) => {
    const parsed = createWebhookInput.parse(input);
    const guard = { allowPrivateHosts: true };
    const created = await createWebhook(database.db, developer.developerId, { accountId }, parsed, guard, new Date());
    return created.ok ? created.webhookId : expect.unreachable(created.reason);
  };
  const hooksAt = (path: string) => hooks.filter((hook) => hook.path === path);

  it('IDLE: new mail, a flag and an expunge made on the server reach the API and the webhooks within seconds', async () => {
    const setup = `idle-${kind}@mailport.test`;
    await dovecot.appendMessages(setup, 'INBOX', [
      { rfc822: message(`one-${kind}`, 'One') },
      { rfc822: message(`two-${kind}`, 'Two') },
    ]);
    const source = await connectAndSync('idle', { source_sync_flags: '1' });
    expect(await subjectsOf(source.accountId)).toEqual(['One', 'Two']);
    // One webhook for every change, one for new mail only: both hear of new mail through IDLE, no POST …/sync.
    const allPath = `/hooks/all-${kind}`;
    const newPath = `/hooks/new-${kind}`;
    const all = await webhook(source.accountId, { callback_url: `${hooksUrl}/all-${kind}`, receive_all_changes: '1' });
    const onlyNew = await webhook(source.accountId, { callback_url: `${hooksUrl}/new-${kind}` });
    const worker = live();
    await vi.waitFor(() => expect(worker.held()).toContain(source.sourceId), { timeout: 10_000, interval: 50 });
    // The live connection has done its first pass (it stores the checkpoint) before the server changes.
    await vi.waitFor(
      async () =>
        expect(
          (await database.db.sourceFolder.findFirstOrThrow({ where: { sourceId: source.sourceId, name: 'INBOX' } }))
            .highestModseq,
        ).not.toBeNull(),
      { timeout: 10_000, interval: 50 },
    );

    const appendedAt = Date.now();
    await dovecot.deliverMessage(source.user, 'INBOX', message(`three-${kind}`, 'Three'));
    // The poll is a minute away: only IDLE can bring it this fast.
    // Well under the poll, with room for a loaded CI machine (typically 0.1-1 s; Dovecot itself waits 0.5 s).
    await expect.poll(() => subjectsOf(source.accountId), { timeout: 15_000, interval: 50 }).toContain('Three');
    const latencyMs = Date.now() - appendedAt;
    expect(latencyMs).toBeLessThan(15_000);
    const three = (await messagesOf(source.accountId)).find((row) => row.subject === 'Three');
    // Announced once, for the live message only: the initial sync's messages are the mailbox's past.
    expect(announced.filter((event) => event.sourceId === source.sourceId)).toEqual([
      { sourceId: source.sourceId, messageIds: [three?.id] },
    ]);
    await vi.waitFor(() => expect(hooksAt(newPath).length + hooksAt(allPath).length).toBe(2), {
      timeout: 15_000,
      interval: 50,
    });
    const webhookMs = Date.now() - appendedAt;
    expect(hooksAt(newPath).map((hook) => hook.body)).toEqual([
      expect.objectContaining({
        webhook_id: onlyNew,
        message_data: expect.objectContaining({ message_id: three?.id }),
      }),
    ]);
    expect(hooksAt(newPath)[0]?.body.event).toBeUndefined();
    expect(hooksAt(allPath)[0]?.body).toMatchObject({ webhook_id: all, event: 'message_new' });

    await dovecot.doveadm(['flags', 'add', '-u', source.user, '\\Flagged', 'mailbox', 'INBOX', 'subject', 'One']);
    await expect
      .poll(async () => (await messagesOf(source.accountId)).find((row) => row.subject === 'One')?.flags, {
        timeout: 10_000,
        interval: 50,
      })
      .toEqual(['\\Flagged']);
    const one = (await messagesOf(source.accountId)).find((row) => row.subject === 'One');

    const folders = async () => serializeSourceSync(await listSourceFolders(database.db, await ownedSource(source)));
    expect((await folders()).INBOX?.last_expunge).toBe(0);
    const two = (await messagesOf(source.accountId)).find((row) => row.subject === 'Two');
    await dovecot.doveadm(['expunge', '-u', source.user, 'mailbox', 'INBOX', 'subject', 'Two']);
    await expect.poll(() => subjectsOf(source.accountId), { timeout: 10_000, interval: 50 }).toEqual(['One', 'Three']);
    expect((await folders()).INBOX?.last_expunge).toBeGreaterThan(0);
    const counts = await countSyncedData(database.db, [await account(source.accountId)]);
    expect(counts.get(source.accountId)?.nbMessages).toBe(2);
    const state = await database.db.sourceSync.findUniqueOrThrow({ where: { sourceId: source.sourceId } });
    expect(state.messagesSynced).toBe(2);

    // receive_all_changes: the flag change (with the new flags) and the deletion (the message as it was), each once.
    await vi.waitFor(() => expect(hooksAt(allPath).length).toBe(3), { timeout: 15_000, interval: 50 });
    const events = hooksAt(allPath).map((hook) => [hook.body.event, hook.body.message_data.message_id]);
    expect(events).toEqual([
      ['message_new', three?.id],
      ['message_flags_changed', one?.id],
      ['message_deleted', two?.id],
    ]);
    expect(hooksAt(allPath)[1]?.body.message_data).toMatchObject({ subject: 'One', flags: ['\\Flagged'] });
    expect(hooksAt(allPath)[2]?.body.message_data).toMatchObject({ subject: 'Two', folders: ['INBOX'] });
    expect(isValidCallbackSignature(developer.secret, hooksAt(allPath)[2]!.body)).toBe(true);
    // Every delivery its own id; the new-mail-only webhook heard nothing of the changes; the outbox is empty.
    expect(new Set(hooks.map((hook) => hook.deliveryId)).size).toBe(hooks.length);
    expect(hooksAt(newPath).length).toBe(1);
    expect(await database.db.messageChange.count({ where: { sourceId: source.sourceId } })).toBe(0);
    console.log(`[${kind}] append → visible through IDLE: ${latencyMs} ms; → webhook receipt: ${webhookMs} ms`);
  });

  const ownedSource = async (source: { accountId: string; sourceLabel: string }) =>
    (await findSource(database.db, developer.developerId, source.accountId, source.sourceLabel)) ??
    expect.unreachable('source');

  it('poll: other folders, a renamed folder, then a password changed on the server → INVALID_CREDENTIALS and the signed status callback', async () => {
    const setup = `poll-${kind}@mailport.test`;
    await dovecot.appendMessages(setup, 'Projects', [{ rfc822: message(`p1-${kind}`, 'Plan') }]);
    const source = await connectAndSync('poll', { sync_all_folders: '1', status_callback_url: receiverUrl });
    const planId = (await messagesOf(source.accountId)).find((row) => row.subject === 'Plan')?.id;
    expect(planId).toBeDefined();
    const worker = live({ pollMs: 1_000 });
    await vi.waitFor(() => expect(worker.held()).toContain(source.sourceId), { timeout: 10_000, interval: 50 });

    await dovecot.deliverMessage(source.user, 'Projects', message(`p2-${kind}`, 'Budget'));
    await expect.poll(() => subjectsOf(source.accountId), { timeout: 15_000, interval: 100 }).toContain('Budget');

    // A rename keeps the folder's messages (and their ids): the server kept its UIDVALIDITY.
    await dovecot.doveadm(['mailbox', 'rename', '-u', source.user, 'Projects', 'Archive']);
    await expect
      .poll(async () => (await listSourceFolders(database.db, await ownedSource(source))).map((row) => row.name), {
        timeout: 15_000,
        interval: 100,
      })
      .toContain('Archive');
    const plan = (await messagesOf(source.accountId)).find((row) => row.subject === 'Plan');
    expect(plan?.id).toBe(planId);

    await dovecot.setPassword(source.user, 'changed-on-the-server');
    await expect
      .poll(async () => (await database.db.source.findUniqueOrThrow({ where: { id: source.sourceId } })).status, {
        timeout: 20_000,
        interval: 100,
      })
      .toBe('INVALID_CREDENTIALS');
    const changes = await database.db.sourceStatusChange.findMany({ where: { sourceId: source.sourceId } });
    expect(changes.map((row) => [row.previousStatus, row.status])).toEqual([['OK', 'INVALID_CREDENTIALS']]);
    const row = await database.db.source.findUniqueOrThrow({ where: { id: source.sourceId } });
    expect(row.statusChangedAt).not.toBeNull();
    // The lease is given up: a source whose password is refused is no longer live.
    await vi.waitFor(
      async () => expect(await database.db.sourceLease.count({ where: { sourceId: source.sourceId } })).toBe(0),
      { timeout: 10_000, interval: 50 },
    );
    expect(worker.held()).not.toContain(source.sourceId);

    // POSTed for real, signed with the developer's secret, with the old and new status.
    await vi.waitFor(() => expect(received.some((body) => body.account_id === source.accountId)).toBe(true), {
      timeout: 20_000,
      interval: 100,
    });
    const body = received.find((entry) => entry.account_id === source.accountId);
    expect(body).toMatchObject({
      event: 'status_changed',
      status: 'INVALID_CREDENTIALS',
      previous_status: 'OK',
      label: source.sourceLabel,
    });
    expect(isValidCallbackSignature(developer.secret, body!)).toBe(true);
  });

  it('an unreachable server: CONNECTION_IMPOSSIBLE after the window, still retried, OK again once it answers', async () => {
    const statusUrl = `${receiverUrl}/health-${kind}`;
    const source = await connectAndSync('health', { status_callback_url: statusUrl });
    const deadPort = await new Promise<number>((resolve) => {
      const probe = createServer();
      probe.listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    // The server "moves away": the next login (the poll's) finds nothing listening.
    await database.db.source.update({ where: { id: source.sourceId }, data: { port: deadPort } });
    const startedAt = Date.now();
    const worker = live({ pollMs: 1_000, unreachableMs: 1_500 });
    const status = async () => (await database.db.source.findUniqueOrThrow({ where: { id: source.sourceId } })).status;
    await expect.poll(status, { timeout: 15_000, interval: 50 }).toBe('CONNECTION_IMPOSSIBLE');
    // Not at the first refusal: only once the window has passed.
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_500);
    // Still live: it keeps its lease and keeps trying.
    expect(worker.held()).toContain(source.sourceId);

    await database.db.source.update({ where: { id: source.sourceId }, data: { port: dovecot.port } });
    await expect.poll(status, { timeout: 15_000, interval: 50 }).toBe('OK');
    const changes = await database.db.sourceStatusChange.findMany({
      where: { sourceId: source.sourceId },
      orderBy: { changedAt: 'asc' },
    });
    expect(changes.map((row) => [row.previousStatus, row.status])).toEqual([
      ['OK', 'CONNECTION_IMPOSSIBLE'],
      ['CONNECTION_IMPOSSIBLE', 'OK'],
    ]);
    await vi.waitFor(
      () =>
        expect(
          received
            .filter((body) => body.account_id === source.accountId)
            .map((body) => [body.previous_status, body.status])
            .sort(),
        ).toEqual([
          ['CONNECTION_IMPOSSIBLE', 'OK'],
          ['OK', 'CONNECTION_IMPOSSIBLE'],
        ]),
      { timeout: 20_000, interval: 100 },
    );
  });

  it('mail a worker stored but died before announcing is announced by the worker that claims the source', async () => {
    const user = `orphan-${kind}@mailport.test`;
    await dovecot.appendMessages(user, 'INBOX', [{ rfc822: message(`orphan-${kind}`, 'Orphan') }]);
    const source = await connectAndSync('orphan');
    const webhook = await createWebhook(
      database.db,
      developer.developerId,
      { accountId: source.accountId },
      createWebhookInput.parse({ callback_url: `${receiverUrl}/orphan-${kind}` }),
      { allowPrivateHosts: true },
      new Date(),
    );
    if (!webhook.ok) throw new Error(webhook.reason);
    // What a worker SIGKILLed between its commit and the match leaves: the message and its arrival, just now
    // (housekeeping would wait a minute, and runs every five).
    const [stored] = await messagesOf(source.accountId);
    if (!stored) throw new Error('no message');
    await database.db.messageArrival.create({
      data: { messageId: stored.id, accountId: source.accountId, sourceId: source.sourceId },
    });
    live();
    await expect
      .poll(
        () => database.db.callbackDelivery.count({ where: { webhookId: webhook.webhookId, messageId: stored.id } }),
        {
          timeout: 15_000,
          interval: 50,
        },
      )
      .toBe(1);
    expect(await database.db.messageArrival.count({ where: { sourceId: source.sourceId } })).toBe(0);
  });

  it('two workers share the live sources; a graceful stop hands them over at once', async () => {
    const sources = [await connectAndSync('handover-a'), await connectAndSync('handover-b')];
    const ids = sources.map((source) => source.sourceId);
    const first = live();
    await vi.waitFor(() => expect(first.held()).toEqual(expect.arrayContaining(ids)), {
      timeout: 10_000,
      interval: 50,
    });
    const second = live();
    // The newcomer gets its share: the first gives back what is above half.
    await vi.waitFor(
      () => {
        expect(second.held().length).toBeGreaterThan(0);
        expect(first.held().filter((id) => second.held().includes(id))).toEqual([]);
      },
      { timeout: 10_000, interval: 50 },
    );
    const leases = await database.db.sourceLease.findMany({ where: { sourceId: { in: ids } } });
    expect(leases.length).toBe(2);

    const stoppedAt = Date.now();
    await first.stop();
    await vi.waitFor(() => expect(second.held()).toEqual(expect.arrayContaining(ids)), {
      timeout: 5_000,
      interval: 20,
    });
    const handoverMs = Date.now() - stoppedAt;
    expect(handoverMs).toBeLessThan(5_000);
    const owners = await database.db.sourceLease.findMany({ where: { sourceId: { in: ids } } });
    expect(new Set(owners.map((lease) => lease.ownerId))).toEqual(new Set([second.ownerId]));

    // Mail that arrives right after the handover is stored once.
    await dovecot.deliverMessage(sources[0]!.user, 'INBOX', message(`after-${kind}`, 'After handover'));
    await expect
      .poll(() => subjectsOf(sources[0]!.accountId), { timeout: 10_000, interval: 50 })
      .toContain('After handover');
    expect(await database.db.message.count({ where: { emailMessageId: `<after-${kind}@test>` } })).toBe(1);
    console.log(`[${kind}] graceful handover: ${handoverMs} ms`);
  });

  it('a source whose logout hangs stays leased to its worker until it has stopped, and the worker keeps its other leases', async () => {
    const sources = [await connectAndSync('slow-a'), await connectAndSync('slow-b')];
    const ids = sources.map((source) => source.sourceId);
    // Only these two are live now (the earlier tests' mailboxes leave the live set), so each worker's share is one.
    await database.db.source.updateMany({ where: { id: { notIn: ids } }, data: { status: 'INVALID_CREDENTIALS' } });
    // The first worker's sessions never finish logging out until the test lets them.
    let letLogOut = () => {};
    const loggedOut = new Promise<void>((resolve) => {
      letLogOut = resolve;
    });
    // The afterEach stop waits for every logout: never leave them hanging, whatever fails.
    try {
      const first = live({
        runner: {
          openSession: async (login) => {
            const opened = await openMailboxSession(login, { allowPrivateHosts: true });
            if (!opened.ok) return opened;
            const close = opened.session.close.bind(opened.session);
            return { ok: true, session: { ...opened.session, close: () => loggedOut.then(close) } };
          },
        },
      });
      await vi.waitFor(() => expect(first.held()).toEqual(expect.arrayContaining(ids)), {
        timeout: 10_000,
        interval: 50,
      });
      const second = live();
      // The first gives one source back; its runner is stuck logging out, so the lease must stay the first's.
      await vi.waitFor(() => expect(first.held()).toHaveLength(1), { timeout: 10_000, interval: 50 });
      const given = ids.find((id) => !first.held().includes(id)) ?? expect.unreachable('a source given back');
      const kept = first.held()[0]!;
      const leaseOf = (sourceId: string) => database.db.sourceLease.findUniqueOrThrow({ where: { sourceId } });
      const keptBefore = await leaseOf(kept);
      // Longer than a lease (6 s): had the stuck hand-over held up the worker's renewals, both leases would expire.
      await new Promise((resolve) => setTimeout(resolve, 8_000));
      const stuck = await leaseOf(given);
      expect(stuck.ownerId).toBe(first.ownerId);
      expect(stuck.expiresAt.getTime()).toBeGreaterThan(Date.now() - 1000);
      const keptAfter = await leaseOf(kept);
      expect(keptAfter.ownerId).toBe(first.ownerId);
      expect(keptAfter.expiresAt.getTime()).toBeGreaterThan(keptBefore.expiresAt.getTime());
      expect(second.held()).toEqual([]);

      // Logged out: the lease is given up and the newcomer runs one of the two. Usually the one given back;
      // on a busy machine a late renewal may let the other lease lapse first and the two swap, which is
      // as good (one source each, every lease with the worker that runs it).
      letLogOut();
      await vi.waitFor(
        () => {
          expect(second.held()).toHaveLength(1);
          expect(first.held()).toHaveLength(1);
          expect(new Set([...first.held(), ...second.held()])).toEqual(new Set(ids));
        },
        { timeout: 10_000, interval: 50 },
      );
      for (const worker of [first, second]) {
        expect((await leaseOf(worker.held()[0] as string)).ownerId).toBe(worker.ownerId);
      }
    } finally {
      letLogOut();
    }
  });
});
