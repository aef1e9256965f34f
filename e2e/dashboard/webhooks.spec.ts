import { createServer, type Server } from 'node:http';
import { redeemOntoDovecot } from '../fixtures/admin';
import { createApiKeyInDashboard, expect, formError, test } from '../fixtures/dashboard';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { buildMessage } from '../fixtures/mailbox';
import { testServer, testServers } from '../fixtures/servers';

/**
 * Webhooks in the dashboard, without JavaScript: create one on the application,
 * pause and resume it, see a delivery to a failing receiver with its attempts,
 * "Retry now" once the receiver answers, delete it.
 */

test.use({ javaScriptEnabled: false });

const PASSWORD = 'e2e-dash-hooks-password';
let dovecot: DovecotServer;
let receiver: Server;
let receiverUrl: string;
let accepting = false;

test.beforeAll(async () => {
  dovecot = await startDovecot();
  for (const server of testServers) await dovecot.addUser(`dash-hooks-${server.name}@mailport.test`, PASSWORD);
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(accepting ? 200 : 500).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
test.afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await dovecot?.stop();
});

test('create, pause, resume and delete a webhook; its deliveries and attempts; retry now', async ({
  page,
  developer: _developer,
}, testInfo) => {
  test.setTimeout(150_000);
  const server = testServer(testInfo.project.name);
  const api = await createApiKeyInDashboard(page, testInfo);
  const username = `dash-hooks-${server.name}@mailport.test`;
  const token = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body.token;
  const used = await redeemOntoDovecot(server, token, dovecot, { username, password: PASSWORD });
  const sourcePath = `/2.0/accounts/${used.accountId}/sources/${encodeURIComponent(used.sourceLabel)}`;
  await expect
    .poll(async () => (await api.get(sourcePath)).body.sync_status?.state, { timeout: 60_000, intervals: [300] })
    .toBe('done');

  await page.goto('/dashboard/webhooks');
  await expect(page.getByText('No webhooks yet')).toBeVisible();
  const form = page.getByRole('form', { name: 'New webhook' });
  // Bad input: the API's own message, announced.
  await form.getByLabel('Callback URL').fill(`${receiverUrl}/hook`);
  await form.getByLabel('Subject contains').fill('/(/');
  await form.getByRole('button', { name: 'Create webhook' }).click();
  await expect(formError(page)).toContainText('filter_subject');
  await page.getByRole('form', { name: 'New webhook' }).getByLabel('Subject contains').fill('');
  await page.getByRole('form', { name: 'New webhook' }).getByRole('button', { name: 'Create webhook' }).click();
  await expect(page.getByText('The webhook was created.')).toBeVisible();
  const list = page.getByRole('region', { name: 'Application webhooks' });
  await expect(list.getByText('Active')).toBeVisible();
  await list.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByRole('region', { name: 'Application webhooks' }).getByText('Paused')).toBeVisible();
  await page.getByRole('region', { name: 'Application webhooks' }).getByRole('button', { name: 'Resume' }).click();
  await expect(page.getByRole('region', { name: 'Application webhooks' }).getByText('Active')).toBeVisible();

  await dovecot.appendMessage(
    username,
    'INBOX',
    buildMessage({
      messageId: `<dash-${Date.now()}@example.org>`,
      from: 'Ann <ann@example.org>',
      to: username,
      subject: 'Hello webhook',
      date: new Date(),
      text: 'Hi.',
    }),
  );
  expect((await api.post(`${sourcePath}/sync`)).status).toBe(202);
  await page
    .getByRole('region', { name: 'Application webhooks' })
    .getByRole('link', { name: `${receiverUrl}/hook` })
    .click();
  const deliveries = page.getByRole('region', { name: 'Deliveries' });
  await expect(async () => {
    await page.reload();
    await expect(deliveries.getByText(/[1-9] attempts?/)).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 60_000 });
  const row = deliveries.getByRole('listitem').first();
  await row.getByText('Webhook: new message').click();
  await expect(row.getByText(/Attempt 1 · .* · HTTP 500/)).toBeVisible();
  await expect(row.getByTestId('delivery-payload')).toContainText('Hello webhook');

  accepting = true;
  await row.getByRole('button', { name: 'Retry now' }).click();
  await expect(page.getByText('The delivery is being sent again now.')).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(deliveries.getByText('Delivered')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });

  await page.goto('/dashboard/webhooks');
  await page.getByRole('region', { name: 'Application webhooks' }).getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText('The webhook was deleted.')).toBeVisible();
  await expect(page.getByText('No webhooks yet')).toBeVisible();
  expect((await api.get('/2.0/webhooks')).body).toEqual([]);
});
