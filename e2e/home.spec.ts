import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

test('home page says what Mailport is and links to the dashboard and the API reference', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('mailboxes');
  await expect(page.getByText('speaks the Context.IO 2.0 API')).toBeVisible();

  await page.getByRole('link', { name: 'Open the dashboard' }).click();
  // Signed out: the dashboard asks for a sign-in first and comes back afterwards.
  await expect(page).toHaveURL(/\/dashboard\/sign-in\?next=%2Fdashboard$/);
  await expect(page.getByRole('heading', { level: 1, name: 'Sign in' })).toBeVisible();

  await page.goto('/');
  await page.getByRole('link', { name: 'Read the API reference' }).click();
  await expect(page).toHaveURL(/\/docs\/api$/);
  await expect(page.getByRole('heading', { level: 1, name: 'API reference' })).toBeVisible();
});

test('home page has no accessibility violations and fits a phone', async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  await page.goto('/');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((violation) => violation.id)).toEqual([]);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('pages refuse to be framed by other sites', async ({ request }) => {
  const response = await request.get('/');
  expect(response.headers()['x-frame-options']).toBe('DENY');
  expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
});
