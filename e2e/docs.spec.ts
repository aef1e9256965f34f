import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';

test('the API reference lists every operation of the OpenAPI document, accessibly', async ({ page, request }) => {
  const response = await request.get('/2.0/openapi.json');
  expect(response.status()).toBe(200);
  expect(response.headers()['content-type']).toBe('application/json');
  const document = await response.json();
  expect(document.openapi).toBe('3.1.0');
  const operationCount = Object.values(document.paths).reduce(
    (sum: number, methods) => sum + Object.keys(methods as object).length,
    0,
  );

  await page.goto('/docs/api');
  await expect(page.getByRole('heading', { level: 1, name: 'API reference' })).toBeVisible();
  await expect(page.getByRole('article')).toHaveCount(operationCount);
  await expect(page.getByRole('heading', { level: 3, name: 'post /2.0/connect_tokens', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'OpenAPI 3.1 document' })).toHaveAttribute('href', '/2.0/openapi.json');
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((violation) => violation.id)).toEqual([]);

  await page.setViewportSize({ width: 375, height: 740 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
