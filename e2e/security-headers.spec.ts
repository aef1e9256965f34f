import type { Browser, Page, Response } from '@playwright/test';
import { PERMISSIONS_POLICY } from '@/lib/http/security-headers';
import { redeemToken } from './fixtures/admin';
import { type ContextIoClient, expect, test } from './fixtures/api';
import { signUp, uniqueEmail } from './fixtures/dashboard';
import { type DovecotServer, startDovecot } from './fixtures/dovecot';
import { type PartnerApp, startPartnerApp } from './fixtures/partner';
import { testServer } from './fixtures/servers';

/**
 * Issue 9, defect 9: every page type carries a nonce CSP (scripts only ours,
 * form-action only ourselves and, on connect pages, the token's callback
 * origin), Permissions-Policy and the old headers; API JSON gets the same minus
 * the page CSP. Real Chromium, JavaScript on and off, with no CSP violation.
 */

let dovecot: DovecotServer;
let partner: PartnerApp;
test.beforeAll(async () => {
  dovecot = await startDovecot();
  partner = await startPartnerApp();
});
test.afterAll(async () => {
  await partner?.close();
  await dovecot?.stop();
});

const partnerOrigin = () => new URL(partner.callbackUrl).origin;

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
}

function expectCommonHeaders(headers: Record<string, string>, what: string) {
  expect(headers['x-frame-options'], what).toBe('DENY');
  expect(headers['x-content-type-options'], what).toBe('nosniff');
  expect(headers['referrer-policy'], what).toBe('same-origin');
  expect(headers['permissions-policy'], what).toBe(PERMISSIONS_POLICY);
  expect(headers['permissions-policy'], what).toContain('camera=()');
  // The test servers' public URL is http: HSTS there would be ignored by browsers and misleading.
  expect(headers['strict-transport-security'], what).toBeUndefined();
}

/** The page's CSP: a fresh nonce that Next.js's inline scripts carry, and nothing looser than needed. */
async function expectPageCsp(response: Response | null, what: string, formActions: string[] = ["'self'"]) {
  expect(response, what).not.toBeNull();
  const headers = response!.headers();
  expectCommonHeaders(headers, what);
  const csp = directives(headers['content-security-policy'] ?? '');
  expect(csp.get('default-src'), what).toEqual(["'self'"]);
  const scripts = csp.get('script-src') ?? [];
  expect(scripts[0], what).toBe("'self'");
  expect(scripts[1], what).toMatch(/^'nonce-[A-Za-z0-9+/=]{20,}'$/);
  expect(scripts, what).toHaveLength(2);
  expect(csp.get('style-src'), what).toEqual(["'self'", scripts[1]]);
  expect(csp.get('object-src'), what).toEqual(["'none'"]);
  expect(csp.get('base-uri'), what).toEqual(["'none'"]);
  expect(csp.get('frame-ancestors'), what).toEqual(["'none'"]);
  expect(csp.get('form-action'), what).toEqual(formActions);
  const html = await response!.text();
  const nonce = scripts[1]!.slice("'nonce-".length, -1);
  const inlineScripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>/g)].map((match) => match[0]);
  expect(inlineScripts.length, `${what}: Next.js's inline bootstrap`).toBeGreaterThan(0);
  for (const tag of inlineScripts) expect(tag, what).toContain(`nonce="${nonce}"`);
  return nonce;
}

/** Records every CSP violation and console error from the moment the page is created. */
async function watchViolations(page: Page): Promise<string[]> {
  const problems: string[] = [];
  page.on('console', (message) => {
    const url = message.location().url;
    // The browser's own favicon request and the 404 page we open on purpose are not the page's resources.
    if (message.text().startsWith('Failed to load resource') && !url.includes('/_next/')) return;
    if (message.type() === 'error' || /Content Security Policy|Permissions-Policy/i.test(message.text())) {
      problems.push(`console ${message.type()}: ${message.text()} (${url})`);
    }
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });
  return problems;
}

async function createToken(api: ContextIoClient, form: Record<string, string> = {}) {
  const created = await api.post('/2.0/connect_tokens', { form: { callback_url: partner.callbackUrl, ...form } });
  expect(created.status, created.text).toBe(201);
  return created.body as { token: string; browser_redirect_url: string };
}

test('every page type sends the security headers, with a fresh nonce on every page', async ({
  page,
  api,
}, testInfo) => {
  const problems = await watchViolations(page);
  const home = await expectPageCsp(await page.goto('/'), 'home');
  const again = await expectPageCsp(await page.goto('/'), 'home again');
  expect(again).not.toBe(home);
  await expectPageCsp(await page.goto('/docs/api'), 'API docs');
  await expectPageCsp(await page.goto('/dashboard/sign-in'), 'dashboard sign-in');
  await expectPageCsp(await page.goto('/dashboard/sign-up'), 'dashboard sign-up');

  const notFound = await page.goto('/no-such-page');
  expect(notFound?.status()).toBe(404);
  await expectPageCsp(notFound, '404 page');
  await expect(page.getByRole('heading', { level: 1, name: 'Page not found' })).toBeVisible();

  // Connect pages: each step, and the error pages, allow forms to lead to the token's callback origin only.
  const connectActions = ["'self'", partnerOrigin()];
  const identity = await createToken(api);
  await expectPageCsp(await page.goto(identity.browser_redirect_url), 'connect: who', connectActions);
  const mailbox = `csp-${Date.now()}@mailport.test`;
  const signIn = await createToken(api, { email: mailbox });
  await expectPageCsp(await page.goto(signIn.browser_redirect_url), 'connect: sign in', connectActions);
  await expect(page.getByRole('button', { name: 'Connect mailbox' })).toBeVisible();
  const appScheme = await createToken(api, { callback_url: 'myapp://connected' });
  await expectPageCsp(await page.goto(appScheme.browser_redirect_url), 'connect: app callback', ["'self'", 'myapp:']);
  const used = await createToken(api);
  await redeemToken(testServer(testInfo.project.name), used.token, { email: `used-${Date.now()}@example.com` });
  await expectPageCsp(await page.goto(used.browser_redirect_url), 'connect: already used', connectActions);
  await expectPageCsp(await page.goto('/connect/zzzzzzzzzzzzzzzz'), 'connect: unknown token');

  // Signed-in dashboard pages.
  await signUp(page, { email: uniqueEmail('csp'), password: 'dashboard password 1', appName: 'CSP App' });
  for (const path of [
    '/dashboard',
    '/dashboard/keys',
    '/dashboard/tokens',
    '/dashboard/tokens/new',
    '/dashboard/accounts',
  ]) {
    await expectPageCsp(await page.goto(path), `dashboard ${path}`);
  }
  await expectPageCsp(await page.goto('/dashboard/settings'), 'dashboard settings');
  expect(problems).toEqual([]);

  // API JSON and other non-HTML responses: the same headers, and a CSP that allows nothing.
  for (const response of [await api.get('/2.0/accounts'), await api.get('/2.0/no-such-resource')] as const) {
    expect(response.contentType).toBe('application/json');
  }
  for (const path of ['/2.0/accounts', '/2.0/openapi.json', '/healthz']) {
    const response = await page.request.get(path);
    expectCommonHeaders(response.headers(), path);
    expect(response.headers()['content-security-policy'], path).toBe(
      "default-src 'none'; frame-ancestors 'none'; base-uri 'none'",
    );
  }
});

async function connectMailbox(browser: Browser, api: ContextIoClient, javaScriptEnabled: boolean) {
  const email = `csp-${javaScriptEnabled ? 'js' : 'nojs'}-${Date.now()}@mailport.test`;
  const password = 'csp-mailbox-secret';
  await dovecot.addUser(email, password);
  const { token, browser_redirect_url } = await createToken(api, { email });
  const context = await browser.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  const problems = await watchViolations(page);
  await page.goto(browser_redirect_url);
  await expect(page.getByText(`Signing in to ${email}`)).toBeVisible();
  const details = page.locator('details').filter({ has: page.getByText('Advanced settings') });
  if (!(await details.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await page.getByText('Advanced settings').click();
  }
  await page.getByLabel('IMAP server').fill('127.0.0.1');
  await page.getByLabel('Port').fill(String(dovecot.port));
  await page.getByLabel('Security').selectOption('NONE');
  await page.getByLabel('Username').fill(email);
  await page.getByLabel(/Password/).fill(password);
  await page.getByRole('button', { name: 'Connect mailbox' }).click();
  // The form's POST is answered with a redirect to the partner, on another origin: form-action must allow it.
  await page.waitForURL((url) => url.origin === partnerOrigin() && url.pathname === '/mailbox-connected');
  expect(new URL(page.url()).searchParams.get('contextio_token')).toBe(token);
  expect(problems).toEqual([]);
  await context.close();
  expect((await api.get(`/2.0/connect_tokens/${token}`)).body.used).toBeGreaterThan(0);
}

test('the connect flow reaches the partner on another origin with JavaScript on', async ({ browser, api }) => {
  await connectMailbox(browser, api, true);
});

test('the connect flow reaches the partner on another origin with JavaScript off', async ({ browser, api }) => {
  await connectMailbox(browser, api, false);
});

test('the dashboard works under the CSP with JavaScript on: no violation while creating and copying a token', async ({
  page,
}) => {
  const problems = await watchViolations(page);
  await signUp(page, { email: uniqueEmail('csp-dash'), password: 'dashboard password 1', appName: 'CSP Dash' });
  await page.getByRole('link', { name: 'Connect tokens' }).first().click();
  await page.getByRole('link', { name: 'Create connect token' }).click();
  await page.getByLabel('Callback URL', { exact: true }).fill('https://p.example.com/cb');
  await page.getByRole('button', { name: 'Create connect token' }).click();
  await expect(page.getByText('Connect token created.')).toBeVisible();
  await page.goto('/dashboard/keys');
  await page.getByRole('button', { name: 'Create API key' }).click();
  await expect(page.getByRole('heading', { name: 'Your new API key' })).toBeVisible();
  expect(problems).toEqual([]);
});
