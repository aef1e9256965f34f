import { createServer, type Server } from 'node:http';
import type { Page } from '@playwright/test';
import { redeemOntoDovecot } from '../fixtures/admin';
import { checkPage, createApiKeyInDashboard, expect, signIn, test } from '../fixtures/dashboard';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { prepareMailbox } from '../fixtures/mailbox';
import { testServer, testServers } from '../fixtures/servers';

/**
 * A real mailbox (Dovecot) synced by the real worker, watched from the source
 * page; callbacks go to a real receiver that fails until the test lets it succeed.
 */

const PASSWORD = 'e2e-dash-sync-password';
let dovecot: DovecotServer;
let receiver: Server;
let receiverUrl: string;
/** Paths that answer 200; every other path answers 500. */
const accepting = new Set<string>();
const received: { path: string; status: number }[] = [];

test.beforeAll(async () => {
  dovecot = await startDovecot();
  const names = testServers.map((server) => server.name);
  for (const name of names) await dovecot.addUser(`dash-sync-${name}@mailport.test`, PASSWORD);
  for (const name of names) await prepareMailbox(dovecot, `dash-sync-${name}@mailport.test`);
  receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = request.url ?? '/';
      const status = accepting.has(path) ? 200 : 500;
      received.push({ path, status });
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'not yet');
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

const syncStatus = (page: Page) => page.getByRole('region', { name: 'Sync' }).getByRole('status');
const deliveries = (page: Page) => page.getByRole('region', { name: 'Callback deliveries' });

test('sync progress, re-run a sync, callback deliveries with their attempts, retry now', async ({
  page,
  developer,
}, testInfo) => {
  test.setTimeout(150_000);
  const server = testServer(testInfo.project.name);
  const api = await createApiKeyInDashboard(page, testInfo);
  const callbackPath = `/dash-${testInfo.project.name}-${Date.now()}`;
  const created = await api.post('/2.0/connect_tokens', {
    form: { callback_url: 'https://p.example.com/done', source_callback_url: `${receiverUrl}${callbackPath}` },
  });
  const username = `dash-sync-${testServer(testInfo.project.name).name}@mailport.test`;
  const used = await redeemOntoDovecot(server, created.body.token, dovecot, { username, password: PASSWORD });
  const sourcePath = `/dashboard/accounts/${used.accountId}/sources/${encodeURIComponent(used.sourceLabel)}`;
  const apiSourcePath = `/2.0/accounts/${used.accountId}/sources/${encodeURIComponent(used.sourceLabel)}`;

  // The page refreshes itself while the sync runs: no reload here.
  await page.goto(sourcePath);
  await expect(page.getByRole('progressbar', { name: 'Folders synced' })).toBeVisible();
  await expect(syncStatus(page)).toHaveText('Completed: 3 of 3 folders, 5 messages synced.', { timeout: 60_000 });
  await expect(page.getByRole('link', { name: 'Refresh progress' })).toHaveCount(0);

  // The callback failed (HTTP 500) and is being retried; each attempt is listed.
  await expect(async () => {
    await page.reload();
    await expect(deliveries(page).getByText(/[2-9] attempts/)).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 30_000 });
  const row = deliveries(page).getByRole('listitem').first();
  await expect(row.getByText('Source callback')).toBeVisible();
  await expect(row.getByText(`${receiverUrl}${callbackPath}`)).toBeVisible();
  await row.getByText('Source callback').click(); // opens the <details>
  await expect(row.getByText(/Attempt 1 · .* · HTTP 500 · \d+ ms/)).toBeVisible();
  await expect(row.getByText('Error: HTTP 500').first()).toBeVisible();
  const payload = JSON.parse((await row.getByTestId('delivery-payload').textContent()) ?? '');
  expect(payload).toMatchObject({ event: 'initial_sync_completed', account_id: used.accountId, status: 'OK' });
  await checkPage(page, testInfo, 'source-sync-callbacks');

  // The receiver recovers; "Retry now" sends it at once instead of after the backoff.
  const attemptsBefore = received.filter((entry) => entry.path === callbackPath).length;
  accepting.add(callbackPath);
  await row.getByRole('button', { name: 'Retry now' }).click();
  await expect(
    page.getByText(/The callback is being sent again now|That callback was already delivered/),
  ).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(deliveries(page).getByText('Delivered')).toBeVisible({ timeout: 500 });
  }).toPass({ timeout: 20_000 });
  const deliveredRow = deliveries(page).getByRole('listitem').first();
  await deliveredRow.getByText('Source callback').click();
  await expect(deliveredRow.getByText(/· HTTP 200 · \d+ ms/)).toBeVisible();
  await expect(deliveredRow.getByRole('button', { name: 'Retry now' })).toHaveCount(0);
  const hits = received.filter((entry) => entry.path === callbackPath);
  expect(hits.length).toBeGreaterThan(attemptsBefore);
  expect(hits.filter((entry) => entry.status === 200)).toHaveLength(1);
  await expect(deliveredRow.getByText(`${hits.length} attempts`)).toBeVisible();

  // Re-run a sync: the same domain call as POST …/sync; the page follows it to the end.
  const before = (await api.get(apiSourcePath)).body.sync_status.last_sync_start as number;
  await page.getByRole('button', { name: 'Re-run a sync' }).click();
  await expect(page.getByText(/A sync was queued|A sync is already queued/)).toBeVisible();
  await expect(syncStatus(page)).toHaveText(/^(Queued|Running|Completed):/);
  await expect(syncStatus(page)).toHaveText('Completed: 3 of 3 folders, 5 messages synced.', { timeout: 60_000 });
  await expect
    .poll(async () => (await api.get(apiSourcePath)).body.sync_status.last_sync_start, { timeout: 30_000 })
    .toBeGreaterThanOrEqual(before);
  expect((await api.get(apiSourcePath)).body.sync_status.last_sync_stop).toBeGreaterThanOrEqual(before);

  // The account page shows each source's sync state.
  await page.goto(`/dashboard/accounts/${used.accountId}`);
  await expect(page.getByText('Sync: Completed · 3 of 3 folders, 5 messages')).toBeVisible();
  void developer;
});

test('without JavaScript: re-run a sync and follow it with the Refresh link; the empty callbacks state', async ({
  browser,
  developer,
  page,
}, testInfo) => {
  test.setTimeout(120_000);
  const server = testServer(testInfo.project.name);
  const api = await createApiKeyInDashboard(page, testInfo);
  const created = await api.post('/2.0/connect_tokens', {
    form: { callback_url: 'https://p.example.com/done', status_callback_url: `${receiverUrl}/status-nojs` },
  });
  const username = `dash-sync-${testServer(testInfo.project.name).name}@mailport.test`;
  const used = await redeemOntoDovecot(server, created.body.token, dovecot, { username, password: PASSWORD });
  const sourcePath = `/dashboard/accounts/${used.accountId}/sources/${encodeURIComponent(used.sourceLabel)}`;

  const context = await browser.newContext({ javaScriptEnabled: false, baseURL: `http://localhost:${server.port}` });
  const noJs = await context.newPage();
  await signIn(noJs, developer.email, developer.password);
  await expect(noJs.getByRole('heading', { level: 1, name: developer.appName })).toBeVisible();
  await noJs.goto(sourcePath);
  // No source_callback_url and no status change: the empty state says what would send one.
  await expect(noJs.getByText('No callbacks yet')).toBeVisible();
  await expect(noJs.getByText(/sent when the initial sync completes/)).toBeVisible();

  await expect(async () => {
    await noJs.goto(sourcePath);
    await expect(syncStatus(noJs)).toHaveText(/^Completed:/, { timeout: 500 });
  }).toPass({ timeout: 60_000 });
  await noJs.getByRole('button', { name: 'Re-run a sync' }).click();
  await expect(noJs.getByText(/A sync was queued|A sync is already queued/)).toBeVisible();
  // While it is queued or running, a plain link refreshes the page.
  await expect(async () => {
    const refresh = noJs.getByRole('link', { name: 'Refresh progress' });
    if (await refresh.isVisible()) await refresh.click();
    else await noJs.goto(sourcePath);
    await expect(syncStatus(noJs)).toHaveText('Completed: 3 of 3 folders, 5 messages synced.', { timeout: 500 });
  }).toPass({ timeout: 60_000 });
  await context.close();
});
