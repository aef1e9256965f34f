import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { buildMessage } from '@/e2e/fixtures/mailbox';
import { attemptCallbackDelivery, retryDeliveryNow } from '@/lib/callbacks/mutations';
import { isValidCallbackSignature } from '@/lib/callbacks/schema';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { resetConfigForTests } from '@/lib/env';
import { type JobQueue, openJobQueue } from '@/lib/jobs/queue';
import { openMailboxSession } from '@/lib/mailbox-sync/imap';
import { updateStoredFlags } from '@/lib/mailbox-sync/mutations';
import { runSourceSync } from '@/lib/mailbox-sync/run';
import { closeContentServices } from '@/lib/message-content/content';
import { startWorkers } from '@/lib/server/worker';
import { findWebhook, listWebhooks } from './data';
import {
  queueWebhookChangeDeliveries,
  queueWebhookDeliveries,
  reportWebhookGaveUp,
  sweepMessageArrivals,
} from './delivery';
import { createWebhook, deleteWebhook, updateWebhook } from './mutations';
import { createWebhookInput, updateWebhookInput } from './schema';

/**
 * Webhooks on PGlite and PostgreSQL: the domain's CRUD and scoping, then new
 * mail saved into a real Dovecot with `doveadm save`, a re-sync, the real
 * workers and a real HTTP receiver.
 */

const PASSWORD = 'webhooks-test-password';
let dovecot: DovecotServer;
let receiver: Server;
let receiverUrl: string;
/** Paths that answer 500; every other path answers 200. */
const failing = new Set<string>();
const received: { path: string; headers: IncomingHttpHeaders; body: Record<string, any> }[] = [];
const receivedAt = (path: string) => received.filter((request) => request.path === path);

/** `doveadm save`: the message lands as mail delivered by the server does, not through an IMAP client. */
function doveadmSave(username: string, rfc822: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/doveadm', ['-c', path.join(dovecot.dir, 'dovecot.conf'), 'save', '-u', username]);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`doveadm save: ${code} ${stderr}`))));
    child.stdin.end(rfc822);
  });
}

const mail = (id: string, from: string, subject: string, text = 'Hello') =>
  buildMessage({ messageId: `<${id}@example.org>`, from, to: 'me@mailport.test', subject, date: new Date(), text });

beforeAll(async () => {
  process.env.MAILPORT_CALLBACK_RETRY_SECONDS = '1';
  // include_body reads the local Dovecot through the process's content pool, which follows this setting.
  process.env.MAILPORT_ALLOW_PRIVATE_HOSTS = '1';
  resetConfigForTests();
  dovecot = await startDovecot();
  for (const kind of testDatabaseKinds()) await dovecot.addUser(`hooks-${kind}@mailport.test`, PASSWORD);
  for (const kind of testDatabaseKinds()) {
    await doveadmSave(`hooks-${kind}@mailport.test`, mail('old', 'Ann <ann@example.org>', 'Invoice 1 (history)'));
  }
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      const requestPath = request.url ?? '/';
      received.push({ path: requestPath, headers: request.headers, body: JSON.parse(text || '{}') });
      const status = failing.has(requestPath) ? 500 : 200;
      response.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
afterAll(async () => {
  delete process.env.MAILPORT_CALLBACK_RETRY_SECONDS;
  delete process.env.MAILPORT_ALLOW_PRIVATE_HOSTS;
  resetConfigForTests();
  await closeContentServices();
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await dovecot?.stop();
});

describe.each(testDatabaseKinds())('webhooks on %s', (kind) => {
  let database: TestDatabase;
  let queue: JobQueue;
  let owner: { developerId: string; secret: string };
  let stranger: { developerId: string };
  let source: { accountId: string; sourceId: string };
  const username = `hooks-${kind}@mailport.test`;
  const guard = { allowPrivateHosts: true };
  const now = () => new Date();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    queue = await openJobQueue(database, { supervise: true, maintenanceIntervalSeconds: 1 });
    await startWorkers(database.db, queue, {
      allowPrivateHosts: true,
      syncJobTimeoutSeconds: 60,
      pollingIntervalSeconds: 0.5,
    });
    owner = await createDeveloperKey(database.db, { email: `hooks-${kind}@example.com`, appName: 'Hooks' });
    stranger = await createDeveloperKey(database.db, { email: `other-${kind}@example.com`, appName: 'Other' });
    source = await connectLocalMailbox(database.db, owner.developerId, {
      email: username,
      password: PASSWORD,
      port: dovecot.port,
    });
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  const create = (
    level: { accountId: string | null },
    input: Record<string, string>,
    developerId = owner.developerId,
  ) => createWebhook(database.db, developerId, level, createWebhookInput.parse(input), guard, now());
  const created = async (level: { accountId: string | null }, input: Record<string, string>) => {
    const result = await create(level, input);
    if (!result.ok) throw new Error(result.reason);
    return result.webhookId;
  };
  const sync = () =>
    runSourceSync(database.db, source.sourceId, {
      openSession: (login) => openMailboxSession(login, { allowPrivateHosts: true }),
      now,
      budgetMs: 60_000,
      isLastAttempt: false,
    });

  it('each level sees only its own webhooks, and another developer sees none', async () => {
    const app = await created({ accountId: null }, { callback_url: 'https://partner.example.com/app' });
    const account = await created({ accountId: source.accountId }, { callback_url: 'https://partner.example.com/acc' });
    const appLevel = { accountId: null };
    const accountLevel = { accountId: source.accountId };
    expect(
      (await listWebhooks(database.db, owner.developerId, appLevel, { offset: 0, limit: 100 })).map((w) => w.id),
    ).toEqual([app]);
    expect(
      (await listWebhooks(database.db, owner.developerId, accountLevel, { offset: 0, limit: 100 })).map((w) => w.id),
    ).toEqual([account]);
    expect(await findWebhook(database.db, owner.developerId, appLevel, account)).toBeNull();
    expect(await findWebhook(database.db, owner.developerId, accountLevel, app)).toBeNull();
    expect(await findWebhook(database.db, stranger.developerId, appLevel, app)).toBeNull();

    const row = (await findWebhook(database.db, owner.developerId, appLevel, app)) ?? expect.unreachable();
    expect(await updateWebhook(database.db, row, updateWebhookInput.parse({ active: '0' }), guard)).toEqual({
      ok: true,
    });
    expect((await findWebhook(database.db, owner.developerId, appLevel, app))?.active).toBe(false);
    expect(await deleteWebhook(database.db, row)).toBe(true);
    expect(await deleteWebhook(database.db, row)).toBe(false);
    const accountRow =
      (await findWebhook(database.db, owner.developerId, accountLevel, account)) ?? expect.unreachable();
    expect(await deleteWebhook(database.db, accountRow)).toBe(true);
  });

  it('refuses a callback or failure URL on a private address, and a bad regular expression', async () => {
    const strict = { allowPrivateHosts: false };
    const result = await createWebhook(
      database.db,
      owner.developerId,
      { accountId: null },
      createWebhookInput.parse({
        callback_url: 'https://partner.example.com/x',
        failure_notif_url: 'http://127.0.0.1/f',
      }),
      strict,
      now(),
    );
    expect(result).toEqual({
      ok: false,
      reason: 'callback_url_private',
      field: 'failure_notif_url',
      host: '127.0.0.1',
    });
    const bad = createWebhookInput.safeParse({ callback_url: 'https://p.example.com', filter_subject: '/(/' });
    expect(bad.success).toBe(false);
    expect(await database.db.webhook.count({ where: { developerId: owner.developerId } })).toBe(0);
  });

  it('new mail after the initial sync reaches matching webhooks once, signed; history and non-matches get nothing', async () => {
    const tag = `${kind}-${Date.now()}`;
    const invoices = `/invoices-${tag}`;
    const everything = `/all-${tag}`;
    const nobody = `/nobody-${tag}`;
    const withBody = `/body-${tag}`;
    await created(
      { accountId: source.accountId },
      { callback_url: `${receiverUrl}${invoices}`, filter_subject: '/^invoice/i' },
    );
    await created({ accountId: null }, { callback_url: `${receiverUrl}${everything}`, receive_all_changes: '1' });
    await created({ accountId: source.accountId }, { callback_url: `${receiverUrl}${nobody}`, filter_from: 'nobody@' });
    await created(
      { accountId: source.accountId },
      {
        callback_url: `${receiverUrl}${withBody}`,
        filter_from_domain: 'shop.example',
        include_body: '1',
        body_type: 'text/plain',
      },
    );
    // Another developer's application-level webhook sees nothing of this account.
    await create({ accountId: null }, { callback_url: `${receiverUrl}/stranger-${tag}` }, stranger.developerId);
    // The initial sync is history: no webhook hears of it, though every one was there.
    expect(await sync()).toMatchObject({ outcome: 'done', messagesStored: 1 });
    expect(await database.db.messageArrival.count()).toBe(0);

    await doveadmSave(username, mail(`inv-${tag}`, 'Ann <ann@example.org>', 'Invoice 2'));
    await doveadmSave(username, mail(`shop-${tag}`, 'Shop <orders@shop.example>', 'Your order', 'Order 7 shipped.'));
    expect(await sync()).toMatchObject({ outcome: 'done', messagesStored: 2 });

    await vi.waitFor(
      async () => {
        const attempts = await database.db.callbackAttempt.findMany({
          where: { delivery: { url: `${receiverUrl}${withBody}` } },
        });
        if (attempts.some((attempt) => attempt.error)) throw new Error(attempts.map((a) => a.error).join('; '));
        expect(receivedAt(invoices)).toHaveLength(1);
        expect(receivedAt(everything)).toHaveLength(2);
        expect(receivedAt(withBody)).toHaveLength(1);
      },
      { timeout: 30_000, interval: 200 },
    );
    const [invoice] = receivedAt(invoices);
    expect(invoice?.body).toMatchObject({
      account_id: source.accountId,
      message_data: { subject: 'Invoice 2', email_message_id: `<inv-${tag}@example.org>` },
    });
    expect(invoice?.body.event).toBeUndefined();
    expect(isValidCallbackSignature(owner.secret, invoice?.body as never)).toBe(true);
    expect(invoice?.headers['x-mailport-delivery-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(receivedAt(everything).map((request) => request.body.event)).toEqual(['message_new', 'message_new']);
    const [order] = receivedAt(withBody);
    expect(order?.body.message_data.body).toEqual([
      // A single-part body keeps its trailing line break, as the message-content routes answer it.
      {
        type: 'text/plain',
        charset: 'utf-8',
        content: expect.stringMatching(/^Order 7 shipped\.\r?\n$/),
        body_section: '1',
      },
    ]);
    expect(receivedAt(nobody)).toHaveLength(0);
    expect(received.filter((request) => request.path.startsWith(`/stranger-${tag}`))).toHaveLength(0);
    // The outbox is empty once matched, and the history message was never delivered.
    expect(await database.db.messageArrival.count()).toBe(0);
    const ours = received.filter((request) => request.path.includes(tag));
    expect(ours.some((request) => request.body.message_data?.subject === 'Invoice 1 (history)')).toBe(false);
  });

  it('the same messages matched many times at once (sync and sweep racing) make one delivery each', async () => {
    const tag = `race-${kind}-${Date.now()}`;
    const webhookId = await created({ accountId: source.accountId }, { callback_url: `${receiverUrl}/${tag}` });
    const messages = await database.db.message.findMany({
      where: { accountId: source.accountId },
      select: { id: true },
    });
    const ids = messages.map((message) => message.id);
    const results = await Promise.all(
      Array.from({ length: 12 }, () =>
        queueWebhookDeliveries(
          database.db,
          { accountId: source.accountId, sourceId: source.sourceId, messageIds: ids },
          now(),
        ),
      ),
    );
    // Other webhooks of the account may take some of these messages too; this one takes each exactly once.
    const queued = results.flat();
    expect(new Set(queued).size).toBe(queued.length);
    const ours = await database.db.callbackDelivery.findMany({ where: { webhookId }, select: { id: true } });
    expect(queued.filter((id) => ours.some((row) => row.id === id))).toHaveLength(ids.length);
    expect(await database.db.callbackDelivery.count({ where: { webhookId } })).toBe(ids.length);
    await vi.waitFor(() => expect(receivedAt(`/${tag}`)).toHaveLength(ids.length), { timeout: 30_000, interval: 200 });
    const hook =
      (await findWebhook(database.db, owner.developerId, { accountId: source.accountId }, webhookId)) ??
      expect.unreachable();
    await deleteWebhook(database.db, hook);
  });

  it('an arrival left behind by a crash is matched by the sweep', async () => {
    const tag = `sweep-${kind}-${Date.now()}`;
    const webhookId = await created({ accountId: source.accountId }, { callback_url: `${receiverUrl}/${tag}` });
    const [message] = await database.db.message.findMany({ where: { accountId: source.accountId }, take: 1 });
    const old = new Date(Date.now() - 120_000);
    await database.db.messageArrival.create({
      data: { messageId: message?.id ?? '', accountId: source.accountId, sourceId: source.sourceId, createdAt: old },
    });
    expect(await sweepMessageArrivals(database.db, now())).toBe(1);
    expect(await database.db.messageArrival.count()).toBe(0);
    await vi.waitFor(() => expect(receivedAt(`/${tag}`)).toHaveLength(1), { timeout: 30_000, interval: 200 });
    const hook =
      (await findWebhook(database.db, owner.developerId, { accountId: source.accountId }, webhookId)) ??
      expect.unreachable();
    await deleteWebhook(database.db, hook);
  });

  it('receive_all_changes: each flag change is its own delivery, matched once however often; a crash left to the sweep', async () => {
    const tag = `changes-${kind}-${Date.now()}`;
    const webhookId = await created(
      { accountId: source.accountId },
      { callback_url: `${receiverUrl}/${tag}`, receive_all_changes: '1' },
    );
    const plain = await created({ accountId: source.accountId }, { callback_url: `${receiverUrl}/${tag}-plain` });
    const message =
      (await database.db.message.findFirst({ where: { accountId: source.accountId }, orderBy: { uid: 'asc' } })) ??
      expect.unreachable('a stored message');
    const flagsOf = (flags: string[]) => [{ uid: Number(message.uid), flags, isDeleted: false }];
    // Written as the sync writes them, but not matched (a worker died right after the commit).
    const owned = { id: source.sourceId, accountId: source.accountId };
    const first = await updateStoredFlags(database.db, owned, message.folderId, flagsOf(['\\Flagged']), now());
    const second = await updateStoredFlags(database.db, owned, message.folderId, flagsOf([]), now());
    const unchanged = await updateStoredFlags(database.db, owned, message.folderId, flagsOf([]), now());
    expect([first.count, second.count, unchanged.count]).toEqual([1, 1, 0]);
    expect(unchanged.changeIds).toEqual([]);
    const changeIds = [...first.changeIds, ...second.changeIds];
    expect(changeIds).toHaveLength(2);
    // Matched by many at once (a late sync and the sweep racing): one delivery per change.
    const results = await Promise.all(
      Array.from({ length: 8 }, () => queueWebhookChangeDeliveries(database.db, changeIds, now())),
    );
    // (An application-level receive_all_changes webhook of an earlier test takes them too.)
    const ours = await database.db.callbackDelivery.findMany({ where: { webhookId }, select: { id: true } });
    expect(ours).toHaveLength(2);
    expect(results.flat().filter((id) => ours.some((row) => row.id === id))).toHaveLength(2);
    expect(new Set(results.flat()).size).toBe(results.flat().length);
    expect(await database.db.messageChange.count({ where: { id: { in: changeIds } } })).toBe(0);
    await vi.waitFor(() => expect(receivedAt(`/${tag}`)).toHaveLength(2), { timeout: 30_000, interval: 200 });
    expect(receivedAt(`/${tag}`).map((request) => request.body.message_data.flags)).toEqual(
      expect.arrayContaining([['\\Flagged'], []]),
    );
    expect(receivedAt(`/${tag}`).every((request) => request.body.event === 'message_flags_changed')).toBe(true);
    const deliveryIds = receivedAt(`/${tag}`).map((request) => request.headers['x-mailport-delivery-id']);
    expect(new Set(deliveryIds).size).toBe(2);

    // A change a crash left behind, older than the sweep's wait: matched by the maintenance sweep.
    const third = await updateStoredFlags(database.db, owned, message.folderId, flagsOf(['\\Seen']), now());
    await database.db.messageChange.updateMany({
      where: { id: { in: third.changeIds } },
      data: { createdAt: new Date(Date.now() - 120_000) },
    });
    expect(await sweepMessageArrivals(database.db, now())).toBeGreaterThanOrEqual(1);
    expect(await database.db.callbackDelivery.count({ where: { webhookId } })).toBe(3);
    await vi.waitFor(() => expect(receivedAt(`/${tag}`)).toHaveLength(3), { timeout: 30_000, interval: 200 });
    // The webhook without receive_all_changes hears of none of it.
    expect(receivedAt(`/${tag}-plain`)).toHaveLength(0);
    for (const id of [webhookId, plain]) {
      const hook =
        (await findWebhook(database.db, owner.developerId, { accountId: source.accountId }, id)) ??
        expect.unreachable();
      await deleteWebhook(database.db, hook);
    }
  });

  it('a failing receiver: the same body and delivery id on every retry, then failure and failure_notif_url', async () => {
    const tag = `fail-${kind}-${Date.now()}`;
    failing.add(`/${tag}`);
    const webhookId = await created(
      { accountId: source.accountId },
      { callback_url: `${receiverUrl}/${tag}`, failure_notif_url: `${receiverUrl}/${tag}-notice` },
    );
    const [message] = await database.db.message.findMany({ where: { accountId: source.accountId }, take: 1 });
    // No worker attempt races the ones made here: the job is taken off the queue first.
    const [deliveryId] = await queueWebhookDeliveries(
      database.db,
      { accountId: source.accountId, sourceId: source.sourceId, messageIds: [message?.id ?? ''] },
      now(),
    );
    if (!deliveryId) throw new Error('no delivery');
    await vi.waitFor(() => expect(receivedAt(`/${tag}`).length).toBeGreaterThanOrEqual(2), {
      timeout: 30_000,
      interval: 200,
    });
    const attempts = receivedAt(`/${tag}`);
    expect(new Set(attempts.map((request) => request.headers['x-mailport-delivery-id']))).toEqual(
      new Set([deliveryId]),
    );
    expect(new Set(attempts.map((request) => JSON.stringify(request.body))).size).toBe(1);

    // The last attempt: given up, as the queue's final retry does. A worker's scheduled retry may hold the
    // delivery at this moment ("busy"; it is not the last, so it leaves it pending): ours goes once it let go.
    await vi.waitFor(
      async () => {
        const outcome = await attemptCallbackDelivery(database.db, deliveryId, {
          allowPrivateHosts: true,
          isLastAttempt: true,
          now,
        });
        expect(outcome.kind).not.toBe('busy');
        if (outcome.kind === 'failed') expect(outcome.gaveUp).toBe(true);
      },
      { timeout: 30_000, interval: 200 },
    );
    expect((await database.db.callbackDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).state).toBe('failed');
    await reportWebhookGaveUp(database.db, deliveryId, now());
    expect((await database.db.webhook.findUniqueOrThrow({ where: { id: webhookId } })).failure).toBe(true);
    await vi.waitFor(() => expect(receivedAt(`/${tag}-notice`)).toHaveLength(1), { timeout: 30_000, interval: 200 });
    const [notice] = receivedAt(`/${tag}-notice`);
    expect(notice?.body).toMatchObject({
      webhook_id: webhookId,
      account_id: source.accountId,
      failure_message: expect.stringMatching(/HTTP 500/),
    });
    expect(isValidCallbackSignature(owner.secret, notice?.body as never)).toBe(true);

    // "Retry now" through the worker gives up again: the webhook stays failed and no second notice is sent.
    expect((await retryDeliveryNow(database.db, owner.developerId, deliveryId)).ok).toBe(true);
    await vi.waitFor(
      async () =>
        expect((await database.db.callbackDelivery.findUniqueOrThrow({ where: { id: deliveryId } })).state).toBe(
          'failed',
        ),
      { timeout: 30_000, interval: 200 },
    );
    expect(receivedAt(`/${tag}-notice`)).toHaveLength(1);
    // A failed webhook matches nothing until it is set active again.
    expect(
      await queueWebhookDeliveries(
        database.db,
        { accountId: source.accountId, sourceId: source.sourceId, messageIds: [message?.id ?? ''] },
        now(),
      ),
    ).toEqual([]);
  });
});
