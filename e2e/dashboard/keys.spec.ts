import { ContextIoClient } from '../fixtures/api';
import { checkPage, createApiKeyInDashboard, expect, formError, test } from '../fixtures/dashboard';

test('create a key (secret shown once), call the API with it, rotate it, revoke the new one', async ({
  page,
  developer,
}, testInfo) => {
  await page.goto('/dashboard');
  await expect(page.getByRole('link', { name: /0\s*Active API keys/ })).toBeVisible();
  await checkPage(page, testInfo, 'overview');
  void developer;

  await page.goto('/dashboard/keys');
  await expect(page.getByText('No API keys yet')).toBeVisible();
  await checkPage(page, testInfo, 'keys-empty');

  const api = await createApiKeyInDashboard(page, testInfo);
  expect(api.credentials.secret).toMatch(/^[0-9A-Za-z]{32}$/);
  expect((await api.get('/2.0/connect_tokens')).status).toBe(200);
  await checkPage(page, testInfo, 'keys-created');
  // Shown once: a reload lists the key but never its secret again.
  await page.reload();
  await expect(page.getByText(api.credentials.key)).toBeVisible();
  await expect(page.getByText(api.credentials.secret)).toHaveCount(0);
  expect(await page.content()).not.toContain(api.credentials.secret);

  await page.getByRole('button', { name: `Rotate key ${api.credentials.key}` }).click();
  await expect(
    page.getByRole('heading', { name: `Key ${api.credentials.key} was revoked and replaced by a new key` }),
  ).toBeVisible();
  const rotatedKey = await page.getByLabel('Consumer key').inputValue();
  const rotatedSecret = await page.getByLabel('Consumer secret').inputValue();
  expect(rotatedKey).not.toBe(api.credentials.key);
  expect((await api.get('/2.0/connect_tokens')).status).toBe(401);
  const rotated = new ContextIoClient(api.baseUrl, {
    developerId: '',
    key: rotatedKey,
    secret: rotatedSecret,
  });
  expect((await rotated.get('/2.0/connect_tokens')).status).toBe(200);
  await expect(page.getByText('Revoked', { exact: true })).toBeVisible();

  await page.getByRole('button', { name: `Revoke key ${rotatedKey}` }).click();
  await expect(page.getByText('The key was revoked. Requests signed with it are now refused.')).toBeVisible();
  expect((await rotated.get('/2.0/connect_tokens')).status).toBe(401);
  await expect(page.getByRole('heading', { name: /Your keys \(0 active\)/ })).toBeVisible();
  await expect(formError(page)).toHaveCount(0);
});

test('the keys list pages on the server', async ({ page, developer }, testInfo) => {
  void developer;
  for (let i = 0; i < 21; i++) await createApiKeyInDashboard(page, testInfo);
  await page.goto('/dashboard/keys');
  await expect(page.getByText('Showing 1–20 of 21 keys')).toBeVisible();
  await page.getByRole('link', { name: 'Next page' }).click();
  await expect(page).toHaveURL(/\/dashboard\/keys\?page=2$/);
  await expect(page.getByText('Showing 21–21 of 21 keys')).toBeVisible();
  await expect(page.getByRole('button', { name: /^Rotate key/ })).toHaveCount(1);
});
