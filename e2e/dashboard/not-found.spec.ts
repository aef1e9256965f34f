import { redeemToken } from '../fixtures/admin';
import { expect, test } from '../fixtures/dashboard';
import { testServer } from '../fixtures/servers';

/**
 * Issue 9, 11b: a dashboard detail page for another developer's resource, or
 * one that does not exist, answers HTTP 404 with the not-found page, so ids
 * cannot be probed. One table over every detail route, as another tenant.
 */
test("every dashboard detail page of another developer's or a missing resource is a 404", async ({
  page,
  developer,
  newDeveloper,
}, testInfo) => {
  void developer;
  const server = testServer(testInfo.project.name);
  const other = await newDeveloper();
  const account = await other.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com/cb' } });
  const theirs = await redeemToken(server, account.body.token, { email: `other-${Date.now()}@example.com` });
  const unused = await other.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com/cb' } });
  const label = encodeURIComponent(theirs.sourceLabel);
  const theirProvider = `${Date.now()}-theirs.apps.googleusercontent.com`;
  await other.post('/2.0/oauth_providers', {
    form: {
      type: 'GMAIL_OAUTH2',
      provider_consumer_key: theirProvider,
      provider_consumer_secret: 'their-secret-12345678',
    },
  });
  const missingId = '0'.repeat(24);

  const routes = [
    `/dashboard/tokens/${unused.body.token}`,
    `/dashboard/tokens/${account.body.token}`,
    '/dashboard/tokens/zzzzzzzzzzzzzzzz',
    '/dashboard/tokens/not-a-token',
    `/dashboard/accounts/${theirs.accountId}`,
    `/dashboard/accounts/${missingId}`,
    '/dashboard/accounts/not-an-id',
    `/dashboard/accounts/${theirs.accountId}/sources/${label}`,
    `/dashboard/accounts/${theirs.accountId}/sources/0`,
    `/dashboard/accounts/${missingId}/sources/${label}`,
    `/dashboard/accounts/${theirs.accountId}/sources/a%00b`,
    `/dashboard/tokens/new?account=${theirs.accountId}`,
    `/dashboard/tokens/new?account=${missingId}`,
    `/dashboard/tokens/new?account=${theirs.accountId}&source=${label}`,
    `/dashboard/oauth-providers/${encodeURIComponent(theirProvider)}`,
    '/dashboard/oauth-providers/not-a-provider',
  ];
  for (const route of routes) {
    const response = await page.goto(route);
    expect(response?.status(), route).toBe(404);
    await expect(page.getByRole('heading', { level: 1, name: 'Page not found' }), route).toBeVisible();
    await expect(page.getByText(theirs.sourceLabel), route).toHaveCount(0);
  }
});
