import { expect, formError, test } from '../fixtures/dashboard';

/**
 * Issue 9, defect 5 on the pages: control characters in a dashboard field or
 * list search are refused beside the field (never a 500), and nothing is saved.
 */

const CONTROL_MESSAGE = /Remove the control characters/;

test('list searches with a NUL show a field error instead of failing', async ({ page, developer }) => {
  void developer;
  for (const path of ['/dashboard/tokens', '/dashboard/accounts']) {
    const response = await page.goto(`${path}?email=a%00b`);
    expect(response?.status(), path).toBe(200);
    const search = page.locator('#email');
    await expect(search, path).toHaveAttribute('aria-invalid', 'true');
    await expect(page.locator('#email-error'), path).toHaveText(CONTROL_MESSAGE);
  }
});

test('settings and token forms refuse control characters at the field and save nothing', async ({
  page,
  developer,
}) => {
  await page.goto('/dashboard/settings');
  await page.getByLabel('App name').fill('Bell\u0007App');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect(formError(page)).toContainText(CONTROL_MESSAGE);
  await page.goto('/dashboard/settings');
  await expect(page.getByLabel('App name')).toHaveValue(developer.appName);

  await page.goto('/dashboard/tokens/new');
  await page.getByLabel('Callback URL', { exact: true }).fill('https://p.example.com/cb');
  await page.getByLabel('First name').fill('Ja\u0007ne');
  await page.getByRole('button', { name: 'Create connect token' }).click();
  await expect(formError(page)).toContainText('invalid parameter first_name: control characters');
  await page.goto('/dashboard/tokens');
  await expect(page.getByText('No connect tokens yet')).toBeVisible();
});
