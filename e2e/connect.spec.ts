import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { advanceClock } from './fixtures/admin';
import { type ContextIoClient, expect, test } from './fixtures/api';
import { type DovecotServer, startDovecot } from './fixtures/dovecot';
import { type PartnerApp, startPartnerApp } from './fixtures/partner';
import { testServer } from './fixtures/servers';

/**
 * The hosted connect flow end to end: a partner app creates a token, a real
 * Chromium walks the pages, a real Dovecot proves the password, and the partner
 * reads the result over the signed API.
 */

let dovecot: DovecotServer;
let partner: PartnerApp;
let userCounter = 0;

test.beforeAll(async () => {
  dovecot = await startDovecot();
  partner = await startPartnerApp();
});
test.afterAll(async () => {
  await partner?.close();
  await dovecot?.stop();
});

async function newMailbox(): Promise<{ email: string; password: string }> {
  userCounter += 1;
  const email = `user${userCounter}-${Date.now()}@mailport.test`;
  const password = `pw-${userCounter}-secret`;
  await dovecot.addUser(email, password);
  return { email, password };
}

async function createToken(api: ContextIoClient, form: Record<string, string> = {}, path = '/2.0/connect_tokens') {
  const created = await api.post(path, { form: { callback_url: partner.callbackUrl, ...form } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { token: string; browser_redirect_url: string };
}

async function fillIdentity(page: Page, email: string, names = true) {
  await page.getByLabel('Email address').fill(email);
  if (names) {
    await page.getByLabel(/First name/).fill('Jane');
    await page.getByLabel(/Last name/).fill('Doe');
  }
  await page.getByRole('button', { name: 'Continue' }).click();
}

/** The form's error summary (Next.js adds its own, empty, role=alert route announcer). */
const errorSummary = (page: Page) => page.locator('#form-error[role="alert"]');

/** Opens "Advanced settings" unless the page already shows it open (it does when settings are only a guess). */
async function openAdvancedSettings(page: Page) {
  const details = page.locator('details').filter({ has: page.getByText('Advanced settings') });
  if (!(await details.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await page.getByText('Advanced settings').click();
  }
  await expect(page.getByLabel('IMAP server')).toBeVisible();
}

/** Our test mailboxes live on a loopback Dovecot: point the advanced settings at it. */
async function fillSignIn(page: Page, email: string, password: string, port = dovecot.port) {
  await expect(page.getByText(`Signing in to ${email}`)).toBeVisible();
  await openAdvancedSettings(page);
  await page.getByLabel('IMAP server').fill('127.0.0.1');
  await page.getByLabel('Port').fill(String(port));
  await page.getByLabel('Security').selectOption('NONE');
  await page.getByLabel('Username').fill(email);
  await page.getByLabel(/Password/).fill(password);
  await page.getByRole('button', { name: 'Connect mailbox' }).click();
}

async function expectBackAtPartner(page: Page, token: string) {
  await page.waitForURL((url) => url.pathname === '/mailbox-connected');
  const url = new URL(page.url());
  expect(url.searchParams.get('contextio_token')).toBe(token);
  expect(url.searchParams.get('user')).toBe('42');
  expect(url.toString()).not.toContain('pw-');
  expect(partner.callbacks.some((query) => query.get('contextio_token') === token)).toBe(true);
}

async function expectNoA11yViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  expect(results.violations.map((violation) => `${violation.id}: ${violation.nodes[0]?.html}`)).toEqual([]);
}

test('a new account: email and names, settings, password, back to the partner with the token', async ({
  page,
  api,
}) => {
  const mailbox = await newMailbox();
  const { token, browser_redirect_url } = await createToken(api, { source_sync_flags: '1' });
  await page.goto(browser_redirect_url);
  await expect(page.getByText('Test Partner App uses Mailport to connect your mailbox')).toBeVisible();
  await expect(page.getByText(/will be able to read the messages/)).toBeVisible();
  await expectNoA11yViolations(page);

  await fillIdentity(page, mailbox.email);
  await expectNoA11yViolations(page);
  await fillSignIn(page, mailbox.email, mailbox.password);
  await expectBackAtPartner(page, token);

  const read = await api.get(`/2.0/connect_tokens/${token}`);
  expect(read.body.used).toBeGreaterThan(0);
  expect(read.body.account).toMatchObject({
    email_addresses: [mailbox.email],
    first_name: 'Jane',
    last_name: 'Doe',
    sources: [
      {
        server: '127.0.0.1',
        port: dovecot.port,
        use_ssl: false,
        username: mailbox.email,
        status: 'OK',
        sync_flags: true,
      },
    ],
  });
  expect(JSON.stringify(read.body)).not.toContain(mailbox.password);
});

test('an email known in advance skips the first step; a wrong password can be corrected', async ({ page, api }) => {
  const mailbox = await newMailbox();
  const { token, browser_redirect_url } = await createToken(api, { email: mailbox.email, first_name: '*hidden*' });
  await page.goto(browser_redirect_url);
  await expect(page.getByLabel('Email address')).toHaveCount(0);

  await fillSignIn(page, mailbox.email, 'wrong-password');
  const alert = errorSummary(page);
  await expect(alert).toContainText('did not accept this username and password');
  await expect(alert).toBeFocused();
  await expect(page.getByLabel(/Password/)).toHaveValue('');
  expect(await page.content()).not.toContain('wrong-password');
  expect((await api.get(`/2.0/connect_tokens/${token}`)).body.used).toBe(0);

  await page.getByLabel(/Password/).fill(mailbox.password);
  await page.getByRole('button', { name: 'Connect mailbox' }).click();
  await expectBackAtPartner(page, token);
});

test('an unreachable server gets its own message and creates nothing', async ({ page, api }) => {
  const mailbox = await newMailbox();
  const { token, browser_redirect_url } = await createToken(api, { email: mailbox.email });
  await page.goto(browser_redirect_url);
  await fillSignIn(page, mailbox.email, mailbox.password, 1);
  await expect(errorSummary(page)).toContainText('refused the connection');
  await expect(page.locator('details')).toHaveAttribute('open', '');
  expect((await api.get(`/2.0/connect_tokens/${token}`)).body).toMatchObject({ used: 0, account: {} });
});

test('a second mailbox on an existing account, and the same mailbox refused', async ({ page, api }) => {
  const first = await newMailbox();
  const second = await newMailbox();
  const top = await createToken(api, { email: first.email });
  await page.goto(top.browser_redirect_url);
  await fillSignIn(page, first.email, first.password);
  await expectBackAtPartner(page, top.token);
  const accountId = (await api.get(`/2.0/connect_tokens/${top.token}`)).body.account.id;

  const add = await createToken(api, {}, `/2.0/accounts/${accountId}/connect_tokens`);
  await page.goto(add.browser_redirect_url);
  await expect(page.getByRole('heading', { name: 'Add another mailbox' })).toBeVisible();
  await fillIdentity(page, second.email, false);
  await fillSignIn(page, second.email, second.password);
  await expectBackAtPartner(page, add.token);
  const account = (await api.get(`/2.0/accounts/${accountId}`)).body;
  expect(account.email_addresses).toEqual([first.email, second.email]);

  const again = await createToken(api, { email: first.email }, `/2.0/accounts/${accountId}/connect_tokens`);
  await page.goto(again.browser_redirect_url);
  await fillSignIn(page, first.email, first.password);
  await expect(errorSummary(page)).toContainText('already connected to this account');
  expect((await api.get(`/2.0/connect_tokens/${again.token}`)).body.used).toBe(0);
});

test('expired, used and unknown tokens show a clear page and create nothing', async ({ page, api }, testInfo) => {
  const mailbox = await newMailbox();
  const used = await createToken(api, { email: mailbox.email });
  await page.goto(used.browser_redirect_url);
  await fillSignIn(page, mailbox.email, mailbox.password);
  await expectBackAtPartner(page, used.token);
  await page.goto(used.browser_redirect_url);
  await expect(page.getByRole('heading', { name: 'Your mailbox is connected' })).toBeVisible();

  await page.goto('/connect/zzzzzzzzzzzzzzzz');
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();

  const expiring = await createToken(api);
  await advanceClock(testServer(testInfo.project.name), 86_401);
  await page.goto(expiring.browser_redirect_url);
  await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
  await expect(page.getByRole('textbox')).toHaveCount(0);
});

test('giving up returns to the partner with error=cancelled and leaves the token unused', async ({ page, api }) => {
  const { token, browser_redirect_url } = await createToken(api);
  await page.goto(browser_redirect_url);
  await page.getByRole('link', { name: 'Cancel and go back to Test Partner App' }).click();
  await page.waitForURL((url) => url.pathname === '/mailbox-connected');
  const url = new URL(page.url());
  expect(url.searchParams.get('contextio_token')).toBe(token);
  expect(url.searchParams.get('error')).toBe('cancelled');
  expect((await api.get(`/2.0/connect_tokens/${token}`)).body.used).toBe(0);
});

test('two browsers finishing one token at once: one account, the other sees "connected"', async ({ browser, api }) => {
  const mailbox = await newMailbox();
  const { token, browser_redirect_url } = await createToken(api, { email: mailbox.email });
  const contexts = await Promise.all([browser.newContext(), browser.newContext()]);
  const pages = await Promise.all(contexts.map((context) => context.newPage()));
  for (const page of pages) {
    await page.goto(browser_redirect_url);
    await openAdvancedSettings(page);
    await page.getByLabel('IMAP server').fill('127.0.0.1');
    await page.getByLabel('Port').fill(String(dovecot.port));
    await page.getByLabel('Security').selectOption('NONE');
    await page.getByLabel(/Password/).fill(mailbox.password);
  }
  await Promise.all(pages.map((page) => page.getByRole('button', { name: 'Connect mailbox' }).click()));
  const outcomes = await Promise.all(
    pages.map(async (page) => {
      // Each browser ends either at the partner or on our "already connected" page; wait for one of them.
      await Promise.race([
        page.waitForURL((url) => url.pathname === '/mailbox-connected'),
        page.getByRole('heading', { name: 'Your mailbox is connected' }).waitFor(),
      ]);
      return new URL(page.url()).pathname === '/mailbox-connected'
        ? 'partner'
        : await page.getByRole('heading', { level: 1 }).textContent();
    }),
  );
  expect(outcomes.sort()).toEqual(['Your mailbox is connected', 'partner']);
  expect((await api.get(`/2.0/connect_tokens/${token}`)).body.used).toBeGreaterThan(0);
  const accounts = await api.get('/2.0/accounts', { query: { email: mailbox.email } });
  expect(accounts.body).toHaveLength(1);
  await Promise.all(contexts.map((context) => context.close()));
});

test('works with JavaScript turned off', async ({ browser, api }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const mailbox = await newMailbox();
  const { token, browser_redirect_url } = await createToken(api);
  await page.goto(browser_redirect_url);
  await fillIdentity(page, mailbox.email);
  await fillSignIn(page, mailbox.email, 'wrong-password');
  await expect(errorSummary(page)).toContainText('did not accept');
  await page.getByLabel(/Password/).fill(mailbox.password);
  await page.getByRole('button', { name: 'Connect mailbox' }).click();
  await expectBackAtPartner(page, token);
  await context.close();
});

test('fits a phone, with no accessibility violations on any step', async ({ browser, api }, testInfo) => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const mailbox = await newMailbox();
  const { browser_redirect_url } = await createToken(api);
  const fits = async (name: string) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, name).toBeLessThanOrEqual(0);
    await expectNoA11yViolations(page);
    await page.screenshot({ path: testInfo.outputPath(`connect-phone-${name}.png`), fullPage: true });
  };
  await page.goto(browser_redirect_url);
  await fits('who');
  await fillIdentity(page, mailbox.email);
  await openAdvancedSettings(page);
  await fits('sign-in');
  await page.getByLabel(/Password/).fill('wrong');
  await page.getByLabel('IMAP server').fill('127.0.0.1');
  await page.getByLabel('Port').fill('1');
  await page.getByRole('button', { name: 'Connect mailbox' }).click();
  await expect(errorSummary(page)).toBeVisible();
  await fits('error');
  await context.close();
});

test('known providers: Gmail asks for an app password, Proton Mail is explained', async ({ page, api }) => {
  const gmail = await createToken(api, { email: 'someone@gmail.com' });
  await page.goto(gmail.browser_redirect_url);
  await expect(page.getByText('Gmail: before you sign in')).toBeVisible();
  await expect(page.getByLabel('App password')).toBeVisible();
  await openAdvancedSettings(page);
  await expect(page.getByLabel('IMAP server')).toHaveValue('imap.gmail.com');
  await expect(page.getByLabel('Port')).toHaveValue('993');

  const proton = await createToken(api, { email: 'someone@proton.me' });
  await page.goto(proton.browser_redirect_url);
  await expect(page.getByText('Proton Mail cannot be connected with a password')).toBeVisible();
});

test('control characters in the first name or username get a field error, never a failure', async ({ page, api }) => {
  const mailbox = await newMailbox();
  const { token, browser_redirect_url } = await createToken(api);
  await page.goto(browser_redirect_url);
  await page.getByLabel('Email address').fill(mailbox.email);
  await page.getByLabel(/First name/).fill('Ja\u0007ne');
  await page.getByRole('button', { name: 'Continue' }).click();
  await expect(errorSummary(page)).toContainText('Remove the control characters');
  await expect(page.getByLabel(/First name/)).toHaveAttribute('aria-invalid', 'true');

  await fillIdentity(page, mailbox.email);
  await expect(page.getByText(`Signing in to ${mailbox.email}`)).toBeVisible();
  await openAdvancedSettings(page);
  await page.getByLabel('IMAP server').fill('127.0.0.1');
  await page.getByLabel('Port').fill(String(dovecot.port));
  await page.getByLabel('Security').selectOption('NONE');
  await page.getByLabel('Username').fill(`${mailbox.email}\u0007`);
  await page.getByLabel(/Password/).fill(mailbox.password);
  await page.getByRole('button', { name: 'Connect mailbox' }).click();
  await expect(errorSummary(page)).toContainText('Remove the control characters');
  expect((await api.get(`/2.0/connect_tokens/${token}`)).body).toMatchObject({ used: 0, first_name: '' });
});

test('a page view only reads: the first visit goes through ./start, which opens the flow (JavaScript off too)', async ({
  browser,
  api,
}) => {
  const mailbox = await newMailbox();
  const { token, browser_redirect_url } = await createToken(api, { email: mailbox.email });
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();

  // The page itself answers with a redirect, before anything is written or discovered.
  const first = await page.request.get(browser_redirect_url, { maxRedirects: 0 });
  expect(first.status()).toBe(307);
  expect(new URL(first.headers().location ?? '', browser_redirect_url).pathname).toBe(`/connect/${token}/start`);
  const started = await page.request.get(`/connect/${token}/start`, { maxRedirects: 0 });
  expect(started.status()).toBe(303);
  expect(started.headers().location).toBe(`/connect/${token}`);
  // Opened: the page renders the sign-in step straight away, with the settings found.
  const again = await page.request.get(browser_redirect_url, { maxRedirects: 0 });
  expect(again.status()).toBe(200);
  expect(await again.text()).toContain('Signing in to');

  // A fresh token in a browser without JavaScript follows the same redirects to the sign-in step.
  const fresh = await createToken(api, { email: mailbox.email });
  await page.goto(fresh.browser_redirect_url);
  expect(new URL(page.url()).pathname).toBe(`/connect/${fresh.token}`);
  await fillSignIn(page, mailbox.email, mailbox.password);
  await expectBackAtPartner(page, fresh.token);

  // ./start of a link that does not work changes nothing and shows the page that says so.
  await page.goto('/connect/zzzzzzzzzzzzzzzz/start');
  await expect(page.getByRole('heading', { name: 'This link does not work' })).toBeVisible();
  await context.close();
});
