import { spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import path from 'node:path';
import { redeemOntoDovecot } from '../fixtures/admin';
import { type ApiResponse, type ContextIoClient, expect, test } from '../fixtures/api';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { buildMessage } from '../fixtures/mailbox';
import { testServer, testServers } from '../fixtures/servers';

/**
 * The webhook calls of the two official clients, each request as the client
 * builds it, over signed HTTP; then new mail saved with `doveadm save`, a
 * re-sync, and a real receiver. Sources read (not copied): contextio/PHP-ContextIO
 * src/ContextIO/ContextIO.php (listWebhooks … modifyApplicationWebhook) +
 * ContextIORequest.php, and seanRoshan/ContextIO-node lib/2.0.js + lib/call-service.js.
 *
 * PHP: account-level paths lose their trailing slash (`accounts/<id>/webhooks`),
 * the application's keep it (`webhooks/`); OAuth parameters go in the query
 * (authHeaders is off); POST bodies are curl arrays, so multipart and unsigned.
 * Its account-level modifyWebhook() cannot be called (webhook_id is not among
 * its allowed parameters), so only modifyApplicationWebhook() is reproduced.
 * Node: every path ends in `/`, ids through encodeURIComponent(), POST bodies
 * form-urlencoded and signed.
 */

const PASSWORD = 'e2e-webhooks-password';
let dovecot: DovecotServer;
let receiver: Server;
let receiverUrl: string;
const received: { path: string; headers: IncomingHttpHeaders; body: any }[] = [];
const at = (prefix: string) => received.filter((request) => request.path === prefix);

const mailboxOf = (serverName: string) => `hooks-${serverName}@mailport.test`;

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

test.beforeAll(async () => {
  dovecot = await startDovecot();
  for (const server of testServers) await dovecot.addUser(mailboxOf(server.name), PASSWORD);
  for (const server of testServers) {
    await doveadmSave(
      mailboxOf(server.name),
      buildMessage({
        messageId: '<first@example.org>',
        from: 'Ann <ann@example.org>',
        to: mailboxOf(server.name),
        subject: 'Welcome',
        date: new Date('2024-03-01T10:00:00Z'),
        text: 'Hello.',
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

/** ContextIOResponse::getData(): JSON only for exactly `application/json`. */
function phpGetData(response: ApiResponse): any {
  expect(response.status, response.text).toBeGreaterThanOrEqual(200);
  expect(response.status, response.text).toBeLessThan(400);
  expect(response.contentType).toBe('application/json');
  return JSON.parse(response.text);
}

/** call-service.js: request-promise rejects a non-2xx, then JSON.parse(body). */
function nodeJson(response: ApiResponse): any {
  expect(response.status, response.text).toBeGreaterThanOrEqual(200);
  expect(response.status, response.text).toBeLessThan(300);
  return JSON.parse(response.text);
}

async function connectAndSync(api: ContextIoClient, projectName: string) {
  const token = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body
    .token as string;
  const username = mailboxOf(testServer(projectName).name);
  const redeemed = await redeemOntoDovecot(testServer(projectName), token, dovecot, { username, password: PASSWORD });
  const sourcePath = `/2.0/accounts/${redeemed.accountId}/sources/${encodeURIComponent(redeemed.sourceLabel)}`;
  await expect
    .poll(async () => (await api.get(sourcePath)).body.sync_status?.state, { timeout: 90_000, intervals: [300] })
    .toBe('done');
  return { accountId: redeemed.accountId as string, sourcePath, username };
}

test('the official clients’ webhook calls, and new mail reaching the matching webhooks once, signed', async ({
  api,
}, testInfo) => {
  test.setTimeout(180_000);
  const tag = `${testInfo.project.name}-${Date.now()}`;
  const { accountId, sourcePath, username } = await connectAndSync(api, testInfo.project.name);
  const accountHooks = `/2.0/accounts/${accountId}/webhooks`;

  // PHP ContextIO::addWebhook($account, ['callback_url' => …, 'filter_subject' => '/^invoice/i', 'include_body' => 1]).
  const phpCreated = phpGetData(
    await api.post(accountHooks, {
      placement: 'query',
      multipart: {
        callback_url: `${receiverUrl}/php-${tag}`,
        filter_subject: '/^invoice/i',
        include_body: '1',
        body_type: 'text/plain',
      },
    }),
  );
  expect(phpCreated).toEqual({
    success: true,
    webhook_id: expect.stringMatching(/^[0-9a-f]{24}$/),
    resource_url: expect.stringContaining(`${accountHooks}/${phpCreated.webhook_id}`),
  });
  // PHP listWebhooks($account) and getWebhook($account, $id).
  const phpList = phpGetData(await api.get(accountHooks, { placement: 'query' }));
  expect(phpList.map((hook: any) => hook.webhook_id)).toContain(phpCreated.webhook_id);
  expect(phpGetData(await api.get(`${accountHooks}/${phpCreated.webhook_id}`, { placement: 'query' }))).toMatchObject({
    webhook_id: phpCreated.webhook_id,
    callback_url: `${receiverUrl}/php-${tag}`,
    filter_subject: '/^invoice/i',
    include_body: true,
    body_type: 'text/plain',
    active: true,
    failure: false,
  });

  // Node: cio.accounts(id).webhooks().post({…}) and the application level cio.webhooks().post({…}).
  const nodeCreated = nodeJson(
    await api.post(`${accountHooks}/`, {
      form: { callback_url: `${receiverUrl}/node-${tag}`, filter_from: 'nobody@example.net' },
    }),
  );
  const appCreated = nodeJson(
    await api.post('/2.0/webhooks/', { form: { callback_url: `${receiverUrl}/app-${tag}`, receive_all_changes: '1' } }),
  );
  expect(nodeJson(await api.get(`/2.0/webhooks/${encodeURIComponent(appCreated.webhook_id)}/`))).toMatchObject({
    webhook_id: appCreated.webhook_id,
    receive_all_changes: true,
  });
  // The application level and the account level do not see each other's webhooks.
  expect((await api.get(`/2.0/webhooks/${nodeCreated.webhook_id}`)).status).toBe(404);
  expect((await api.get(`${accountHooks}/${appCreated.webhook_id}`)).status).toBe(404);

  // New mail: one matching the PHP webhook's filter, seen by the application webhook too; none for the Node one.
  await doveadmSave(
    username,
    buildMessage({
      messageId: `<invoice-${tag}@example.org>`,
      from: 'Billing <billing@example.org>',
      to: username,
      subject: 'Invoice 7',
      date: new Date(),
      text: 'Amount due: 12.',
    }),
  );
  expect((await api.post(`${sourcePath}/sync`)).status).toBe(202);
  await expect.poll(() => at(`/php-${tag}`).length, { timeout: 60_000, intervals: [300] }).toBe(1);
  await expect.poll(() => at(`/app-${tag}`).length, { timeout: 30_000, intervals: [300] }).toBe(1);
  const [php] = at(`/php-${tag}`);
  expect(php?.body).toMatchObject({
    account_id: accountId,
    webhook_id: phpCreated.webhook_id,
    timestamp: expect.any(Number),
    token: expect.any(String),
    message_data: {
      subject: 'Invoice 7',
      email_message_id: `<invoice-${tag}@example.org>`,
      body: [expect.objectContaining({ type: 'text/plain', content: expect.stringContaining('Amount due: 12.') })],
    },
  });
  // The signature as a receiver checks it: HMAC-SHA256 of timestamp + token with the consumer secret.
  const { createHmac } = await import('node:crypto');
  expect(php?.body.signature).toBe(
    createHmac('sha256', api.credentials.secret).update(`${php?.body.timestamp}${php?.body.token}`).digest('hex'),
  );
  expect(php?.headers['x-mailport-delivery-id']).toMatch(/^[0-9a-f]{32}$/);
  expect(at(`/app-${tag}`)[0]?.body.event).toBe('message_new');
  expect(at(`/node-${tag}`)).toHaveLength(0);

  // PHP modifyApplicationWebhook(['webhook_id' => …, 'active' => 0]) (multipart), Node …webhooks(id).post({active: 1}).
  expect(
    phpGetData(
      await api.post(`/2.0/webhooks/${appCreated.webhook_id}`, { placement: 'query', multipart: { active: '0' } }),
    ),
  ).toEqual({ success: true });
  expect((await api.get(`/2.0/webhooks/${appCreated.webhook_id}`)).body.active).toBe(false);
  expect(nodeJson(await api.post(`/2.0/webhooks/${appCreated.webhook_id}/`, { form: { active: '1' } }))).toEqual({
    success: true,
  });
  // PHP deleteWebhook($account, $id), deleteApplicationWebhook($id); Node …webhooks(id).delete().
  expect(phpGetData(await api.delete(`${accountHooks}/${phpCreated.webhook_id}`, { placement: 'query' }))).toEqual({
    success: true,
  });
  expect(nodeJson(await api.delete(`${accountHooks}/${nodeCreated.webhook_id}/`))).toEqual({ success: true });
  expect(phpGetData(await api.delete(`/2.0/webhooks/${appCreated.webhook_id}`, { placement: 'query' }))).toEqual({
    success: true,
  });
  expect((await api.get(`${accountHooks}/${phpCreated.webhook_id}`)).status).toBe(404);
});

test('bad webhook input is a clear 4xx in the error format', async ({ api }) => {
  const cases: [ApiResponse, number, RegExp][] = [
    [await api.post('/2.0/webhooks', { form: { filter_from: 'ann' } }), 400, /callback_url/],
    [await api.post('/2.0/webhooks', { form: { callback_url: 'javascript:alert(1)' } }), 400, /callback_url/],
    [
      await api.post('/2.0/webhooks', { form: { callback_url: 'https://p.example.com', filter_subject: '/(/' } }),
      400,
      /filter_subject/,
    ],
    [
      await api.post('/2.0/webhooks', { form: { callback_url: 'https://p.example.com', include_body: 'maybe' } }),
      400,
      /include_body/,
    ],
    [
      await api.post('/2.0/webhooks', { form: { callback_url: 'https://p.example.com', body_type: 'image/png' } }),
      400,
      /body_type/,
    ],
    [await api.get('/2.0/webhooks/000000000000000000000000'), 404, /webhook 000000000000000000000000 is invalid/],
    [await api.get('/2.0/webhooks/not-an-id'), 404, /webhook/],
    [await api.post('/2.0/webhooks/000000000000000000000000', { form: { active: '0' } }), 404, /webhook/],
    [await api.delete('/2.0/accounts/000000000000000000000000/webhooks/000000000000000000000000'), 404, /account/],
    [await api.request('PUT', '/2.0/webhooks'), 405, /not supported/],
  ];
  for (const [response, status, value] of cases) {
    expect(response.status, response.text).toBe(status);
    expect(response.contentType).toBe('application/json');
    expect(response.body).toEqual({ type: 'error', value: expect.stringMatching(value) });
  }
});
