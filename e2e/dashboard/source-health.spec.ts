import { redeemOntoDovecot } from '../fixtures/admin';
import { checkPage, createApiKeyInDashboard, expect, test } from '../fixtures/dashboard';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { testServer, testServers } from '../fixtures/servers';

/** A source's status changes, with their time and reason, on its dashboard page. */

const PASSWORD = 'e2e-dash-health-password';
let dovecot: DovecotServer;

test.beforeAll(async () => {
  dovecot = await startDovecot();
  for (const server of testServers) await dovecot.addUser(`dash-health-${server.name}@mailport.test`, PASSWORD);
});
test.afterAll(async () => {
  await dovecot?.stop();
});

test('a status change shows on the source page with its time, and the history lists each change', async ({
  page,
  developer,
}, testInfo) => {
  test.setTimeout(90_000);
  const api = await createApiKeyInDashboard(page, testInfo);
  const created = await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com/done' } });
  const username = `dash-health-${testServer(testInfo.project.name).name}@mailport.test`;
  const used = await redeemOntoDovecot(testServer(testInfo.project.name), created.body.token, dovecot, {
    username,
    password: PASSWORD,
  });
  const sourcePath = `/dashboard/accounts/${used.accountId}/sources/${encodeURIComponent(used.sourceLabel)}`;
  const apiSourcePath = `/2.0/accounts/${used.accountId}/sources/${encodeURIComponent(used.sourceLabel)}`;

  await page.goto(sourcePath);
  await expect(page.getByRole('heading', { name: 'Status changes' })).toHaveCount(0);

  // A password the server refuses: INVALID_CREDENTIALS, through the one status transition.
  await api.post(apiSourcePath, { form: { password: 'not the password', force_status_check: '1' } });
  await page.reload();
  await expect(page.getByText(/since \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/)).toBeVisible();
  const history = page.getByRole('region', { name: 'Status changes' });
  const rows = history.getByRole('row');
  await expect(rows).toHaveCount(2); // header + one change
  await expect(rows.nth(1).getByRole('cell').nth(1)).toHaveText('OK');
  await expect(rows.nth(1).getByRole('cell').nth(2)).toHaveText('INVALID CREDENTIALS');
  await expect(history).not.toContainText('not the password');
  await checkPage(page, testInfo, 'source-status-changes');

  // The right password again: back to OK, newest change first.
  await api.post(apiSourcePath, { form: { password: PASSWORD, force_status_check: '1' } });
  await page.reload();
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1).getByRole('cell').nth(1)).toHaveText('INVALID CREDENTIALS');
  await expect(rows.nth(1).getByRole('cell').nth(2)).toHaveText('OK');
  void developer;
});
