import { redeemToken } from '../fixtures/admin';
import { checkPage, createApiKeyInDashboard, expect, formError, signIn, test } from '../fixtures/dashboard';
import { testServer } from '../fixtures/servers';

test('the app name shows on the connect pages', async ({ page, developer }, testInfo) => {
  void developer;
  const api = await createApiKeyInDashboard(page, testInfo);
  await page.goto('/dashboard/settings');
  await checkPage(page, testInfo, 'settings');
  await page.getByLabel('App name').fill('Renamed CRM');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  const created = await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com/cb' } });
  await page.goto(new URL(created.body.browser_redirect_url).pathname);
  await expect(page.getByText('Renamed CRM uses Mailport to connect your mailbox')).toBeVisible();
});

test('allowed callback URL prefixes: the API answers 400 naming the rule, the dashboard form too', async ({
  page,
  developer,
}, testInfo) => {
  void developer;
  const api = await createApiKeyInDashboard(page, testInfo);
  await page.goto('/dashboard/settings');
  await page.getByLabel('Allowed callback URL prefixes').fill('not a url');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(formError(page)).toContainText('Each prefix must be an absolute URL');
  await expect(page.getByLabel('Allowed callback URL prefixes')).toHaveAttribute('aria-invalid', 'true');

  await page.getByLabel('Allowed callback URL prefixes').fill('https://app.example.com\nmyapp://');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();

  const refused = await api.post('/2.0/connect_tokens', {
    form: { callback_url: 'https://app.example.com.evil.net/x' },
  });
  expect(refused.status).toBe(400);
  expect(refused.contentType).toBe('application/json');
  expect(refused.body).toEqual({
    type: 'error',
    value:
      "callback_url is not allowed: this app's settings only allow callback URLs starting with https://app.example.com, myapp://",
  });
  const webhook = await api.post('/2.0/connect_tokens', {
    form: { callback_url: 'https://app.example.com/ok', status_callback_url: 'https://hooks.example.net/s' },
  });
  expect(webhook.status).toBe(400);
  expect(webhook.body.value).toMatch(/^status_callback_url is not allowed/);
  // The same rule when a source's status_callback_url is changed later.
  const connecting = await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://app.example.com/ok' } });
  const used = await redeemToken(testServer(testInfo.project.name), connecting.body.token, {
    email: `prefix-${Date.now()}@example.com`,
  });
  const [source] = (await api.get(`/2.0/accounts/${used.accountId}/sources`)).body;
  const sourcePath = `/2.0/accounts/${used.accountId}/sources/${encodeURIComponent(source.label)}`;
  const refusedUpdate = await api.post(sourcePath, { form: { status_callback_url: 'https://hooks.example.net/s' } });
  expect(refusedUpdate.status).toBe(400);
  expect(refusedUpdate.body.value).toMatch(/^status_callback_url is not allowed/);
  expect((await api.post(sourcePath, { form: { status_callback_url: 'https://app.example.com/status' } })).status).toBe(
    200,
  );
  expect((await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://app.example.com/ok' } })).status).toBe(
    201,
  );
  expect((await api.post('/2.0/connect_tokens', { form: { callback_url: 'myapp://connected' } })).status).toBe(201);

  await page.goto('/dashboard/tokens/new');
  await page.getByLabel('Callback URL', { exact: true }).fill('https://elsewhere.example.org/cb');
  await page.getByRole('button', { name: 'Create connect token' }).click();
  await expect(formError(page)).toHaveText(
    "callback_url is not allowed: this app's settings only allow callback URLs starting with https://app.example.com, myapp://",
  );

  // Clearing the prefixes allows any URL again.
  await page.goto('/dashboard/settings');
  await page.getByLabel('Allowed callback URL prefixes').fill('');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(page.getByText('Settings saved.')).toBeVisible();
  expect(
    (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://anything.example.org' } })).status,
  ).toBe(201);
});

test('change the password: the current one is required, the new one signs in', async ({ page, developer }) => {
  await page.goto('/dashboard/settings');
  await page.getByLabel('Current password').fill('wrong current password');
  await page.getByLabel('New password', { exact: true }).fill('a brand new password');
  await page.getByLabel('Type the new password again').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(formError(page)).toHaveText('Your current password is not right.');

  await page.getByLabel('Current password').fill(developer.password);
  await page.getByLabel('New password', { exact: true }).fill('a brand new password');
  await page.getByLabel('Type the new password again').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByText('Your password has changed.')).toBeVisible();

  await page.context().clearCookies();
  await signIn(page, developer.email, 'a brand new password');
  await expect(page.getByRole('heading', { level: 1, name: developer.appName })).toBeVisible();
});
