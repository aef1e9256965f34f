import type { Page } from '@playwright/test';
import { expect, test } from './fixtures/api';

/** Every page has an icon: no 404 for /favicon.ico (or anything else) in the browser console. */

function collectConsoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
  });
  return errors;
}

test('the home page, a connect page and the dashboard sign-in load without console errors', async ({ page, api }) => {
  const created = await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com/cb' } });
  expect(created.status, created.text).toBe(201);
  const connectPath = new URL((created.body as { browser_redirect_url: string }).browser_redirect_url).pathname;

  const errors = collectConsoleErrors(page);
  for (const target of ['/', connectPath, '/dashboard/sign-in']) {
    await page.goto(target);
    // The icon link is in the head, and the browser has fetched it.
    const icon = page.locator('link[rel="icon"]').first();
    await expect(icon).toHaveAttribute('href', /\/icon\.svg/);
    const href = (await icon.getAttribute('href')) ?? '';
    await expect
      .poll(async () =>
        page.evaluate((url) => performance.getEntriesByName(new URL(url, location.href).href).length, href),
      )
      .toBeGreaterThan(0);
  }
  expect(errors).toEqual([]);
});

test('the icon is served as SVG with our headers', async ({ request }) => {
  const response = await request.get('/icon.svg');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toContain('image/svg+xml');
  expect(response.headers()['x-frame-options']).toBe('DENY');
  expect(await response.text()).toContain('<svg');
});
