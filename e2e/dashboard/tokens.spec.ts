import { redeemToken } from '../fixtures/admin';
import { checkPage, createApiKeyInDashboard, expect, formError, test } from '../fixtures/dashboard';
import { testServer } from '../fixtures/servers';

test("create a token with the API's validation, then see the exact API JSON and copy its link", async ({
  page,
  context,
  developer,
}, testInfo) => {
  void developer;
  const api = await createApiKeyInDashboard(page, testInfo);
  await page.goto('/dashboard/tokens');
  await expect(page.getByText('No connect tokens yet')).toBeVisible();
  await checkPage(page, testInfo, 'tokens-empty');

  await page.getByRole('link', { name: 'Create connect token' }).click();
  await checkPage(page, testInfo, 'tokens-new');
  const callback = page.getByLabel('Callback URL', { exact: true });
  await callback.fill('data:text/html,hi');
  await page.getByLabel('Email address').fill('not an email');
  await page.getByRole('button', { name: 'Create connect token' }).click();
  // Word for word what POST /2.0/connect_tokens answers for the same input.
  const apiAnswer = await api.post('/2.0/connect_tokens', {
    form: { callback_url: 'data:text/html,hi', email: 'not an email' },
  });
  expect(apiAnswer.status).toBe(400);
  await expect(formError(page)).toHaveText(apiAnswer.body.value);
  await expect(callback).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByLabel('Email address')).toHaveValue('not an email');

  await callback.fill('https://partner.example.com/back?x=1');
  await page.getByLabel('Email address').fill('Jane@Example.com');
  await page.getByText('Source options and callbacks').click();
  await page.getByLabel('Sync the Seen and Flagged flags').check();
  await page.getByRole('button', { name: 'Create connect token' }).click();
  await expect(page.getByText('Connect token created.')).toBeVisible();
  const token = page.url().match(/\/dashboard\/tokens\/([0-9a-z]{16})/)?.[1] ?? '';
  expect(token).toMatch(/^[0-9a-z]{16}$/);

  const fromApi = await api.get(`/2.0/connect_tokens/${token}`);
  expect(fromApi.status).toBe(200);
  expect(fromApi.body).toMatchObject({ email: 'jane@example.com', source_sync_flags: true, used: 0 });
  expect(JSON.parse((await page.getByTestId('api-json').textContent()) ?? '')).toEqual(fromApi.body);
  await expect(page.getByText('Not opened yet')).toBeVisible();
  await checkPage(page, testInfo, 'token-detail');

  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await page.getByRole('button', { name: 'Copy' }).click();
  await expect(page.getByText('Copied to the clipboard.')).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(fromApi.body.browser_redirect_url);
  await expect(page.getByLabel('Browser redirect URL')).toHaveValue(fromApi.body.browser_redirect_url);
});

test('the timeline follows the user: opened, connected; the account is linked', async ({
  page,
  developer,
}, testInfo) => {
  void developer;
  const server = testServer(testInfo.project.name);
  const api = await createApiKeyInDashboard(page, testInfo);
  const created = await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com/cb' } });
  const token = created.body.token as string;

  // The end user opens the link (no email given, so no discovery runs).
  await page.goto(new URL(created.body.browser_redirect_url).pathname);
  await expect(page.getByRole('heading', { level: 1, name: 'Connect your mailbox' })).toBeVisible();
  await page.goto(`/dashboard/tokens/${token}`);
  const timeline = page.getByRole('region', { name: 'Timeline' });
  await expect(timeline.getByText('Opened by the user')).toBeVisible();
  await expect(timeline.getByText('Not opened yet')).toHaveCount(0);

  const used = await redeemToken(server, token, { email: `timeline-${Date.now()}@example.com` });
  expect(used.ok).toBe(true);
  await page.reload();
  await expect(page.getByText('Used', { exact: true }).first()).toBeVisible();
  await expect(page.getByText('This link has been used')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Delete this token' })).toHaveCount(0);
  await expect(page.getByRole('link', { name: used.accountId })).toBeVisible();
  const json = JSON.parse((await page.getByTestId('api-json').textContent()) ?? '');
  // The mailbox's sync starts in the background, so its progress may move between the two reads.
  const withoutSyncProgress = (body: { account: { sources: { sync_status?: unknown }[] } }) => ({
    ...body,
    account: { ...body.account, sources: body.account.sources.map(({ sync_status, ...source }) => source) },
  });
  const fromApi = (await api.get(`/2.0/connect_tokens/${token}`)).body;
  expect(withoutSyncProgress(json)).toEqual(withoutSyncProgress(fromApi));
  expect(json.account.sources[0].sync_status).toHaveProperty('state');
  expect(json.account.id).toBe(used.accountId);
});

test('filter by status, search by email, page through, and delete an unused token', async ({
  page,
  developer,
}, testInfo) => {
  void developer;
  const server = testServer(testInfo.project.name);
  const api = await createApiKeyInDashboard(page, testInfo);
  const tokens: string[] = [];
  for (let i = 0; i < 22; i++) {
    const created = await api.post('/2.0/connect_tokens', {
      form: { callback_url: 'https://p.example.com/cb', email: `user${i}@filter.example.com` },
    });
    tokens.push(created.body.token);
  }
  const usedToken = tokens[3]!;
  await redeemToken(server, usedToken, { email: 'user3@filter.example.com' });

  await page.goto('/dashboard/tokens');
  await expect(page.getByText('Showing 1–20 of 22 tokens')).toBeVisible();
  await checkPage(page, testInfo, 'tokens-list');
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page.getByText('Showing 21–22 of 22 tokens')).toBeVisible();

  await page.goto('/dashboard/tokens');
  await page.getByLabel('Status').selectOption('used');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/status=used/);
  await expect(page.getByRole('link', { name: usedToken })).toBeVisible();
  await expect(page.getByText('Showing 1–1 of 1 tokens')).toBeVisible();

  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Email contains').fill('USER12@');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByRole('link', { name: tokens[12]! })).toBeVisible();
  await expect(page.getByText('Showing 1–1 of 1 tokens')).toBeVisible();

  await page.getByLabel('Email contains').fill('nobody-matches');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('No tokens match these filters')).toBeVisible();

  await page.goto(`/dashboard/tokens/${tokens[12]}`);
  await page.getByRole('button', { name: 'Delete this token' }).click();
  await expect(page.getByText('The connect token was deleted; its link no longer works.')).toBeVisible();
  expect((await api.get(`/2.0/connect_tokens/${tokens[12]}`)).status).toBe(404);
  await page.goto('/dashboard/tokens?status=unused');
  await expect(page.getByText('Showing 1–20 of 20 tokens')).toBeVisible();
});
