import { checkPage, createApiKeyInDashboard, expect, formError, test } from '../fixtures/dashboard';
import { testServer } from '../fixtures/servers';

/**
 * The dashboard's OAuth providers (spec §14): add one, its page shows the
 * redirect URI to register (with a copy button), the list shows only the
 * secret's last 4 characters, the API sees the same provider, and delete.
 */

const CLIENT_ID = () => `${Date.now()}-dash.apps.googleusercontent.com`;
const SECRET = 'GOCSPX-dashboard-secret-W7kQ';

test('add a Google provider, see its redirect URI, delete it', async ({ page, developer }, testInfo) => {
  void developer;
  const server = testServer(testInfo.project.name);
  const api = await createApiKeyInDashboard(page, testInfo);
  await page.goto('/dashboard/oauth-providers');
  await expect(page.getByText('No OAuth providers yet')).toBeVisible();
  await checkPage(page, testInfo, 'oauth-providers-empty');

  const clientId = CLIENT_ID();
  await page.getByLabel('Provider').selectOption('GMAIL_OAUTH2');
  await page.getByLabel('Client id').fill(clientId);
  await page.getByLabel('Client secret').fill(SECRET);
  await page.getByRole('button', { name: 'Add provider' }).click();

  await expect(page.getByRole('heading', { name: 'Google OAuth provider' })).toBeVisible();
  await expect(page.getByText('The provider was added.')).toBeVisible();
  const redirectUri = page.getByLabel('Redirect URI to register');
  await expect(redirectUri).toHaveValue(`http://localhost:${server.port}/connect/oauth/callback`);
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible();
  expect(await page.content()).not.toContain(SECRET);
  await expect(page.getByText('…W7kQ')).toBeVisible();
  await checkPage(page, testInfo, 'oauth-provider');

  // The API and the dashboard are one domain.
  const listed = (await api.get('/2.0/oauth_providers')).body as any[];
  expect(listed).toEqual([
    expect.objectContaining({ provider_consumer_key: clientId, provider_consumer_secret: '…W7kQ' }),
  ]);

  // The same client id again: a clear error, not a second provider.
  await page.goto('/dashboard/oauth-providers');
  await page.getByLabel('Client id').fill(clientId);
  await page.getByLabel('Client secret').fill('another-secret-value-1234');
  await page.getByRole('button', { name: 'Add provider' }).click();
  await expect(formError(page)).toContainText('already have a provider with this client id');

  await page.getByRole('button', { name: `Delete provider ${clientId}` }).click();
  await expect(page.getByText('The provider was deleted.')).toBeVisible();
  expect((await api.get('/2.0/oauth_providers')).body).toEqual([]);
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the add form and the provider page work, and the redirect URI is selectable text', async ({
    page,
    developer,
  }) => {
    void developer;
    await page.goto('/dashboard/oauth-providers');
    const clientId = CLIENT_ID();
    await page.getByLabel('Provider').selectOption('MSLIVECONNECT');
    await page.getByLabel('Client id').fill(clientId);
    await page.getByLabel('Client secret').fill(SECRET);
    await page.getByRole('button', { name: 'Add provider' }).click();
    await expect(page.getByRole('heading', { name: 'Microsoft OAuth provider' })).toBeVisible();
    await expect(page.getByLabel('Redirect URI to register')).toHaveValue(/\/connect\/oauth\/callback$/);
    // No clipboard without JavaScript: the field itself is the way to copy.
    await expect(page.getByRole('button', { name: 'Copy' })).toHaveCount(0);
  });
});
