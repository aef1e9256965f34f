import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { redeemOntoDovecot } from '../fixtures/admin';
import { type ApiResponse, expect, test } from '../fixtures/api';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { buildMessage } from '../fixtures/mailbox';
import { testServer, testServers } from '../fixtures/servers';

/**
 * Live mailboxes meet webhooks through the real app server (PGlite: the app
 * holds the live sources) and the real worker beside it (PostgreSQL): the
 * official Node client (seanRoshan/ContextIO-node lib/2.0.js: paths end in `/`,
 * form-urlencoded signed bodies) creates a webhook with receive_all_changes;
 * mail saved with doveadm, a flag set and a message expunged on the server
 * reach the receiver with no `POST …/sync`, through IDLE.
 */

const PASSWORD = 'e2e-live-webhooks-password';
let dovecot: DovecotServer;
let receiver: Server;
let receiverUrl: string;
const received: { path: string; headers: IncomingHttpHeaders; body: any }[] = [];
const at = (prefix: string) => received.filter((request) => request.path === prefix);
const mailboxOf = (serverName: string) => `live-hooks-${serverName}@mailport.test`;

test.beforeAll(async () => {
  // IDLE hears of new mail through inotify; when the machine's Dovecots have used up the dovecot user's
  // inotify instances, Dovecot re-checks each IDLE mailbox every mailbox_idle_check_interval: 1 s, not 30.
  dovecot = await startDovecot({ extraConfig: 'mailbox_idle_check_interval = 1 secs' });
  for (const server of testServers) await dovecot.addUser(mailboxOf(server.name), PASSWORD);
  for (const server of testServers) {
    await dovecot.deliverMessage(
      mailboxOf(server.name),
      'INBOX',
      buildMessage({
        messageId: '<history@example.org>',
        from: 'Ann <ann@example.org>',
        to: mailboxOf(server.name),
        subject: 'History',
        date: new Date('2024-03-01T10:00:00Z'),
        text: 'Before the webhook.',
      }),
    );
  }
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      received.push({ path: request.url ?? '/', headers: request.headers, body: JSON.parse(text || '{}') });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
test.afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await dovecot?.stop();
});

/** call-service.js: request-promise rejects a non-2xx, then JSON.parse(body). */
function nodeJson(response: ApiResponse): any {
  expect(response.status, response.text).toBeGreaterThanOrEqual(200);
  expect(response.status, response.text).toBeLessThan(300);
  return JSON.parse(response.text);
}

test('new mail, a flag and an expunge made on the server reach a webhook through the live sync (no POST …/sync)', async ({
  api,
}, testInfo) => {
  test.setTimeout(180_000);
  const tag = `${testInfo.project.name}-${Date.now()}`;
  // Where the time goes, in the log: this test is the slowest of its area in a full run.
  const startedAt = Date.now();
  const reached = (step: string) =>
    console.log(`[live-webhooks ${testInfo.project.name}] ${step}: ${Date.now() - startedAt} ms`);
  const username = mailboxOf(testServer(testInfo.project.name).name);
  // Node: cio.connect_tokens().post({callback_url, source_sync_flags: 1}); the flags are followed.
  const token = nodeJson(
    await api.post('/2.0/connect_tokens/', {
      form: { callback_url: 'https://p.example.com', source_sync_flags: '1' },
    }),
  ).token as string;
  const redeemed = await redeemOntoDovecot(testServer(testInfo.project.name), token, dovecot, {
    username,
    password: PASSWORD,
  });
  reached('redeemed');
  const accountId = redeemed.accountId as string;
  const sourcePath = `/2.0/accounts/${accountId}/sources/${encodeURIComponent(redeemed.sourceLabel)}/`;
  await expect
    .poll(async () => (await api.get(sourcePath)).body.sync_status?.state, { timeout: 90_000, intervals: [300] })
    .toBe('done');
  reached('initial sync done');

  // Node: cio.accounts(id).webhooks().post({callback_url, receive_all_changes: 1}).
  const hookPath = `/hook-${tag}`;
  const created = nodeJson(
    await api.post(`/2.0/accounts/${encodeURIComponent(accountId)}/webhooks/`, {
      form: { callback_url: `${receiverUrl}${hookPath}`, receive_all_changes: '1' },
    }),
  );
  expect(created).toMatchObject({ success: true, webhook_id: expect.stringMatching(/^[0-9a-f]{24}$/) });

  // New mail, saved as the server's own delivery does: the live connection (IDLE) stores and announces it.
  await dovecot.deliverMessage(
    username,
    'INBOX',
    buildMessage({
      messageId: `<live-${tag}@example.org>`,
      from: 'Bob <bob@example.org>',
      to: username,
      subject: `Live ${tag}`,
      date: new Date(),
      text: 'Arrived while live.',
    }),
  );
  await expect.poll(() => at(hookPath).length, { timeout: 60_000, intervals: [200] }).toBe(1);
  reached('new mail at the webhook');
  const [arrival] = at(hookPath);
  expect(arrival?.body).toMatchObject({
    account_id: accountId,
    webhook_id: created.webhook_id,
    event: 'message_new',
    message_data: { subject: `Live ${tag}`, email_message_id: `<live-${tag}@example.org>` },
  });
  const { createHmac } = await import('node:crypto');
  expect(arrival?.body.signature).toBe(
    createHmac('sha256', api.credentials.secret)
      .update(`${arrival?.body.timestamp}${arrival?.body.token}`)
      .digest('hex'),
  );
  const liveId = arrival?.body.message_data.message_id as string;
  const messages = nodeJson(await api.get(`/2.0/accounts/${encodeURIComponent(accountId)}/messages/`));
  const historyId = messages.find((message: any) => message.subject === 'History')?.message_id as string;
  expect(historyId).toBeTruthy();

  // A flag set on the server, then the history message expunged: each reaches the webhook as its event.
  await dovecot.doveadm(['flags', 'add', '-u', username, '\\Flagged', 'mailbox', 'INBOX', 'subject', `Live ${tag}`]);
  await expect.poll(() => at(hookPath).length, { timeout: 30_000, intervals: [200] }).toBe(2);
  reached('flag at the webhook');
  await dovecot.doveadm(['expunge', '-u', username, 'mailbox', 'INBOX', 'subject', 'History']);
  await expect.poll(() => at(hookPath).length, { timeout: 30_000, intervals: [200] }).toBe(3);
  reached('expunge at the webhook');
  expect(at(hookPath).map((request) => [request.body.event, request.body.message_data.message_id])).toEqual([
    ['message_new', liveId],
    ['message_flags_changed', liveId],
    ['message_deleted', historyId],
  ]);
  expect(at(hookPath)[1]?.body.message_data.flags).toEqual(['\\Flagged']);
  const deliveryIds = at(hookPath).map((request) => request.headers['x-mailport-delivery-id']);
  expect(new Set(deliveryIds).size).toBe(3);
  // And the read API agrees: the flag is there, the expunged message gone.
  expect(
    nodeJson(await api.get(`/2.0/accounts/${accountId}/messages/${liveId}/`, { query: { include_flags: '1' } })).flags,
  ).toEqual(['\\Flagged']);
  expect((await api.get(`/2.0/accounts/${accountId}/messages/${historyId}/`)).status).toBe(404);
});
