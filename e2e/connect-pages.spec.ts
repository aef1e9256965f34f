import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { advanceClock, redeemOntoDovecot } from './fixtures/admin';
import { type ContextIoClient, expect, test } from './fixtures/api';
import { createApiKeyInDashboard, signUp, uniqueEmail } from './fixtures/dashboard';
import { type DovecotServer, startDovecot } from './fixtures/dovecot';
import { openPartnerTab, type PartnerApp, popupResult, startPartnerApp, startPartnerPage } from './fixtures/partner';
import { testServer } from './fixtures/servers';

/**
 * The connect pages, best in class (issue 15): languages, the partner's brand,
 * popup mode, errors back to the partner, identity pinning, accessibility.
 * Real Chromium, real Dovecot, real partner pages on other origins.
 */

const LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;
type Locale = (typeof LOCALES)[number];
type Catalogue = Record<string, Record<string, string>>;
const catalogue = (locale: Locale): Catalogue =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, `../lib/i18n/messages/${locale}.json`), 'utf8'));
const CATALOGUES = Object.fromEntries(LOCALES.map((locale) => [locale, catalogue(locale)])) as Record<
  Locale,
  Catalogue
>;
const en = CATALOGUES.en;
/** A catalogue key shown as text means a missing message (next-intl prints the key). */
const RAW_KEY =
  /\b(common|frame|titles|steps|links|finish|identity|signIn|errors|fieldProblems|providerNotes)\.[a-z_-]+/i;

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
  const email = `pages${userCounter}-${Date.now()}@mailport.test`;
  const password = `pw-${userCounter}-secret`;
  await dovecot.addUser(email, password);
  return { email, password };
}

async function createToken(
  api: ContextIoClient,
  form: Record<string, string> = {},
  pathname = '/2.0/connect_tokens',
): Promise<{ token: string; browser_redirect_url: string }> {
  const created = await api.post(pathname, { form: { callback_url: partner.callbackUrl, ...form } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { token: string; browser_redirect_url: string };
}

async function expectNoA11yViolations(page: Page, name: string) {
  // After a step changes, the new page's title arrives with its streamed metadata: axe must not run in between.
  await expect(page, `the title on ${name}`).toHaveTitle(/\S/);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  expect(
    results.violations.map((violation) => `${violation.id}: ${violation.nodes[0]?.html}`),
    `axe on ${name}`,
  ).toEqual([]);
}

async function expectNoRawKeys(page: Page, name: string) {
  const text = await page.locator('body').innerText();
  expect(text.match(RAW_KEY)?.[0] ?? null, `a catalogue key on ${name}`).toBeNull();
}

/** Points the sign-in step at the loopback Dovecot, in whatever language the page speaks. */
async function fillSignIn(
  page: Page,
  t: Catalogue,
  login: { username: string; password: string },
  port = dovecot.port,
) {
  const details = page.locator('details');
  if (!(await details.evaluate((element) => (element as HTMLDetailsElement).open))) {
    await page.getByText(t.signIn!.advanced!, { exact: true }).click();
  }
  await page.getByLabel(t.signIn!.server!, { exact: true }).fill('127.0.0.1');
  await page.getByLabel(t.signIn!.port!, { exact: true }).fill(String(port));
  await page.getByLabel(t.signIn!.security!, { exact: true }).selectOption('NONE');
  await page.getByLabel(t.signIn!.username!, { exact: true }).fill(login.username);
  // "Password", or "App password" for providers that need one.
  await page.locator('#password').fill(login.password);
  await page.getByRole('button', { name: t.signIn!.submit! }).click();
}

const errorSummary = (page: Page) => page.locator('#form-error[role="alert"]');

test.describe('languages', () => {
  for (const locale of LOCALES) {
    test(`${locale}: every step, an error and the end pages, with no missing key`, async ({ page, api }) => {
      const t = CATALOGUES[locale];
      const mailbox = await newMailbox();
      const { token, browser_redirect_url } = await createToken(api, { locale });
      expect((await api.get(`/2.0/connect_tokens/${token}`)).body).toMatchObject({ locale, mode: 'redirect' });
      await page.goto(browser_redirect_url);
      await expect(page.locator('html')).toHaveAttribute('lang', locale);
      await expect(page.locator('html')).toHaveAttribute('dir', 'ltr');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.titles!.top!);
      await expect(page).toHaveTitle(t.frame!.metaTitle!);
      await expectNoRawKeys(page, `${locale} who`);
      await expectNoA11yViolations(page, `${locale} who`);

      await page.getByLabel(t.identity!.email!, { exact: true }).fill(mailbox.email);
      await page.getByRole('button', { name: t.identity!.submit! }).click();
      await expect(page.getByRole('button', { name: t.signIn!.submit! })).toBeVisible();
      await expectNoRawKeys(page, `${locale} sign-in`);
      await expectNoA11yViolations(page, `${locale} sign-in`);

      await fillSignIn(page, t, { username: mailbox.email, password: mailbox.password }, 1);
      const refused = t.errors!.connection_refused!.replace('{server}', '127.0.0.1');
      await expect(errorSummary(page)).toHaveText(refused);
      await expect(errorSummary(page)).toBeFocused();
      await expectNoRawKeys(page, `${locale} error`);
      await expectNoA11yViolations(page, `${locale} error`);

      await fillSignIn(page, t, { username: mailbox.email, password: mailbox.password });
      await page.waitForURL((url) => url.pathname === '/mailbox-connected');
      await page.goto(browser_redirect_url);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.links!.usedTitle!);
      await expectNoRawKeys(page, `${locale} used`);
      await expectNoA11yViolations(page, `${locale} used`);
    });
  }

  test('without a token locale the browser’s Accept-Language decides, then English', async ({ browser, api }) => {
    const { browser_redirect_url } = await createToken(api);
    for (const [acceptLanguage, expected] of [
      ['de-CH', 'de'],
      ['ja-JP', 'ja'],
      ['pt-BR', 'en'],
    ] as const) {
      // Chromium sends its own Accept-Language from the context's locale list.
      const context = await browser.newContext({ locale: acceptLanguage });
      const page = await context.newPage();
      await page.goto(browser_redirect_url);
      await expect(page.locator('html')).toHaveAttribute('lang', expected);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(CATALOGUES[expected].titles!.top!);
      await context.close();
    }
    // The token's own locale wins over the browser's, and the expired page formats its date for it.
    const japanese = await createToken(api, { locale: 'ja-JP' });
    expect((await api.get(`/2.0/connect_tokens/${japanese.token}`)).body.locale).toBe('ja');
    const bad = await api.post('/2.0/connect_tokens', { form: { callback_url: partner.callbackUrl, locale: 'xx' } });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ type: 'error', value: expect.stringContaining('en, de, fr, es, ja') });
  });
});

test.describe('redirect_on_error', () => {
  /** Each error sends the browser back with error, error_description and the token; JavaScript off too. */
  for (const javaScriptEnabled of [true, false]) {
    test(`cancel, used and expired go back to the partner (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async ({
      browser,
      api,
    }, testInfo) => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const backWith = async (error: string, token: string) => {
        await page.waitForURL((url) => url.pathname === '/mailbox-connected');
        const url = new URL(page.url());
        expect(url.searchParams.get('error')).toBe(error);
        expect(url.searchParams.get('error_description')).toMatch(/\.$/);
        expect(url.searchParams.get('contextio_token')).toBe(token);
        expect(url.searchParams.get('user')).toBe('42');
      };

      const cancelled = await createToken(api, { redirect_on_error: '1' });
      await page.goto(cancelled.browser_redirect_url);
      await page.getByRole('link', { name: 'Cancel and go back to Test Partner App' }).click();
      await backWith('cancelled', cancelled.token);

      const mailbox = await newMailbox();
      const used = await createToken(api, { redirect_on_error: '1', email: mailbox.email });
      await page.goto(used.browser_redirect_url);
      await fillSignIn(page, en, { username: mailbox.email, password: mailbox.password });
      await page.waitForURL((url) => url.pathname === '/mailbox-connected' && !url.searchParams.has('error'));
      await page.goto(used.browser_redirect_url);
      await backWith('already_used', used.token);

      // Without the flag the used page is ours, as before.
      const plain = await createToken(api, { email: mailbox.email });
      await redeemOntoDovecot(testServer(testInfo.project.name), plain.token, dovecot, {
        username: (await newMailbox()).email,
        password: 'x',
      });
      await page.goto(plain.browser_redirect_url);
      await expect(page.getByRole('heading', { name: 'Your mailbox is connected' })).toBeVisible();

      const expiring = await createToken(api, { redirect_on_error: '1' });
      const ours = await createToken(api);
      await advanceClock(testServer(testInfo.project.name), 86_401);
      await page.goto(expiring.browser_redirect_url);
      await backWith('expired', expiring.token);
      await page.goto(ours.browser_redirect_url);
      await expect(page.getByRole('heading', { name: 'This link has expired' })).toBeVisible();
      await context.close();
    });
  }
});

test.describe('identity pinning', () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`a token for one address refuses another, and accepts its own (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async ({
      browser,
      api,
    }) => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      const owner = await newMailbox();
      const intruder = await newMailbox();

      // Created with a full email: another mailbox, even with its right password, is refused before any login.
      const pinned = await createToken(api, { email: owner.email });
      await page.goto(pinned.browser_redirect_url);
      await fillSignIn(page, en, { username: intruder.email, password: intruder.password });
      await expect(errorSummary(page)).toHaveText(
        `This link is only for ${owner.email}. Sign in to that mailbox, or go back to Test Partner App.`,
      );
      expect((await api.get(`/2.0/connect_tokens/${pinned.token}`)).body.used).toBe(0);
      await fillSignIn(page, en, { username: owner.email, password: owner.password });
      await page.waitForURL((url) => url.pathname === '/mailbox-connected');
      const accountId = (await api.get(`/2.0/connect_tokens/${pinned.token}`)).body.account.id;

      // A re-connect token is for its source's own mailbox.
      const sources = (await api.get(`/2.0/accounts/${accountId}/sources`)).body as Array<{ label: string }>;
      const reconnect = await createToken(
        api,
        {},
        `/2.0/accounts/${accountId}/sources/${sources[0]!.label}/connect_tokens`,
      );
      await page.goto(reconnect.browser_redirect_url);
      await expect(page.getByRole('heading', { level: 1 })).toHaveText('Reconnect your mailbox');
      await fillSignIn(page, en, { username: intruder.email, password: intruder.password });
      await expect(errorSummary(page)).toContainText(`This link is only for ${owner.email}`);
      await fillSignIn(page, en, { username: owner.email, password: owner.password });
      await page.waitForURL((url) => url.pathname === '/mailbox-connected');
      const account = (await api.get(`/2.0/accounts/${accountId}`)).body;
      expect(account.email_addresses).toEqual([owner.email]);

      // @domain pins only the domain: any mailbox there connects.
      const domain = await createToken(api, { email: '@mailport.test' });
      await page.goto(domain.browser_redirect_url);
      await page.getByLabel('Your email address').fill(intruder.email.split('@')[0]!);
      await page.getByRole('button', { name: 'Continue' }).click();
      await fillSignIn(page, en, { username: intruder.email, password: intruder.password });
      await page.waitForURL((url) => url.pathname === '/mailbox-connected');
      expect((await api.get(`/2.0/connect_tokens/${domain.token}`)).body.used).toBeGreaterThan(0);
      await context.close();
    });
  }
});

test.describe('popup mode', () => {
  test('a partner page on another origin completes the flow in a popup and hears the token; a hostile page hears nothing', async ({
    browser,
    api,
    baseURL,
  }) => {
    const mailportOrigin = new URL(baseURL ?? '').origin;
    const good = await startPartnerPage(mailportOrigin);
    const hostile = await startPartnerPage(mailportOrigin);
    const context = await browser.newContext();
    try {
      const mailbox = await newMailbox();
      const created = await api.post('/2.0/connect_tokens', {
        form: { callback_url: `${good.origin}/done`, mode: 'popup', email: mailbox.email },
      });
      expect(created.status).toBe(201);
      const { token } = created.body as { token: string };
      const page = await openPartnerTab(context, good.origin, token);
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        page.getByRole('button', { name: 'Connect' }).click(),
      ]);
      await fillSignIn(popup, en, { username: mailbox.email, password: mailbox.password });
      await popup.waitForEvent('close');
      await expect.poll(() => popupResult(page)).toEqual({ ok: true, value: { contextio_token: token } });
      expect((await api.get(`/2.0/connect_tokens/${token}`)).body.used).toBeGreaterThan(0);

      // The hostile origin opens the flow of a token whose callback is the good partner's: the finish page posts
      // only to that origin, so the browser drops it; the hostile page hears no message and no token.
      const second = await newMailbox();
      const stolen = (
        await api.post('/2.0/connect_tokens', {
          form: { callback_url: `${good.origin}/done`, mode: 'popup', email: second.email },
        })
      ).body as { token: string };
      const hostilePage = await openPartnerTab(context, hostile.origin, stolen.token);
      const [hostilePopup] = await Promise.all([
        hostilePage.waitForEvent('popup'),
        hostilePage.getByRole('button', { name: 'Connect' }).click(),
      ]);
      await fillSignIn(hostilePopup, en, { username: second.email, password: second.password });
      await hostilePopup.waitForEvent('close');
      await expect.poll(() => popupResult(hostilePage)).toEqual({ ok: false, code: 'cancelled', reason: 'closed' });
      expect(await hostilePage.evaluate(() => (window as unknown as { __messages: unknown[] }).__messages)).toEqual([]);

      // Cancelling in the popup rejects with `cancelled`.
      const third = (
        await api.post('/2.0/connect_tokens', { form: { callback_url: `${good.origin}/done`, mode: 'popup' } })
      ).body as { token: string };
      const cancelPage = await openPartnerTab(context, good.origin, third.token);
      const [cancelPopup] = await Promise.all([
        cancelPage.waitForEvent('popup'),
        cancelPage.getByRole('button', { name: 'Connect' }).click(),
      ]);
      await cancelPopup.getByRole('link', { name: 'Cancel and go back to Test Partner App' }).click();
      await expect.poll(() => popupResult(cancelPage)).toEqual({ ok: false, code: 'cancelled', reason: 'cancelled' });
    } finally {
      await context.close();
      await good.close();
      await hostile.close();
    }
  });

  test('popup mode needs a web callback, and the pages still refuse frames', async ({ api, page }) => {
    const refused = await api.post('/2.0/connect_tokens', { form: { callback_url: 'myapp://done', mode: 'popup' } });
    expect(refused.status).toBe(400);
    expect(refused.body.value).toContain('mode=popup needs an http(s) callback_url');
    const { browser_redirect_url } = await createToken(api, { mode: 'popup' });
    const response = await page.request.get(browser_redirect_url, { maxRedirects: 0 });
    expect(response.headers()['x-frame-options']).toBe('DENY');
    expect(response.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    const script = await page.request.get('/connect.js');
    expect(script.headers()['content-type']).toContain('javascript');
    expect(await script.text()).toContain('Mailport');
  });
});

test.describe('brand and accessibility', () => {
  const PNG = Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
    'base64',
  );

  async function saveBrand(
    page: Page,
    brand: { accent: string; theme: string; logo?: { name: string; buffer: Buffer } },
  ) {
    await page.goto('/dashboard/settings');
    await page.getByLabel(/Accent colour/).fill(brand.accent);
    await page.getByLabel('Theme').selectOption(brand.theme);
    if (brand.logo) {
      await page.getByLabel(/Logo/).setInputFiles({ ...brand.logo, mimeType: 'application/octet-stream' });
    }
    await page.getByRole('button', { name: 'Save brand' }).click();
  }

  async function brandedDeveloper(page: Page, testInfo: Parameters<Parameters<typeof test>[2]>[1]) {
    const developer = { email: uniqueEmail('brand'), password: 'dashboard password 1', appName: 'Brand App' };
    await signUp(page, developer);
    return createApiKeyInDashboard(page, testInfo);
  }

  test('the brand is checked: unreadable accent and SVG logo refused, the logo served safely', async ({
    page,
  }, testInfo) => {
    await brandedDeveloper(page, testInfo);
    // Unreadable accent on the light theme: refused with the ratio and what to do.
    await saveBrand(page, { accent: '#fbbf24', theme: 'light' });
    await expect(page.locator('#accent_color-error')).toContainText('at least 4.5:1');
    // The same colour reads well on the dark theme.
    await saveBrand(page, { accent: '#fbbf24', theme: 'dark' });
    await expect(page.getByText('Brand saved.')).toBeVisible();
    // An SVG (script-capable) logo is refused by its bytes, whatever its name says.
    await saveBrand(page, {
      accent: '#0f766e',
      theme: 'light',
      logo: {
        name: 'logo.png',
        buffer: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
      },
    });
    await expect(page.locator('#logo-error')).toContainText('PNG, JPEG or WebP');
    await saveBrand(page, { accent: '#0f766e', theme: 'light', logo: { name: 'logo.png', buffer: PNG } });
    await expect(page.getByText('Brand saved.')).toBeVisible();
    const logo = await page.request.get((await page.locator('img[alt="Current logo"]').getAttribute('src')) ?? '');
    expect(logo.headers()['content-type']).toBe('image/png');
    expect(logo.headers()['x-content-type-options']).toBe('nosniff');
    expect(logo.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(Buffer.from(await logo.body()).equals(PNG)).toBe(true);
  });

  for (const [theme, accent, colorScheme] of [
    ['light', '#0f766e', 'light'],
    ['dark', '#fbbf24', 'dark'],
    ['system', '#0f766e', 'dark'],
  ] as const) {
    test(`theme ${theme} (device ${colorScheme}): every step passes axe in every locale`, async ({
      page,
      browser,
    }, testInfo) => {
      test.setTimeout(420_000);
      const api = await brandedDeveloper(page, testInfo);
      await saveBrand(page, { accent, theme, logo: { name: 'logo.png', buffer: PNG } });
      await expect(page.getByText('Brand saved.')).toBeVisible();
      const context = await browser.newContext({ colorScheme });
      const visitor = await context.newPage();
      for (const locale of LOCALES) {
        const t = CATALOGUES[locale];
        // @gmail.com: the "who" step asks the local part, and discovery answers from the bundled table (no network).
        const { browser_redirect_url } = await createToken(api, { locale, email: '@gmail.com' });
        await visitor.goto(browser_redirect_url);
        const name = `${theme}/${colorScheme} ${locale}`;
        await expect(
          visitor.getByRole('img', { name: t.frame!.logoAlt!.replace('{appName}', 'Brand App') }),
        ).toBeVisible();
        await expectNoA11yViolations(visitor, `${name} who`);
        await visitor.getByLabel(t.identity!.yourEmail!, { exact: true }).fill('someone');
        await visitor.getByRole('button', { name: t.identity!.submit! }).click();
        await expect(visitor.getByRole('button', { name: t.signIn!.submit! })).toBeVisible();
        await expectNoA11yViolations(visitor, `${name} sign-in`);
        // Port 1 refuses at once (a wrong password waits out Dovecot's failure delay).
        await fillSignIn(visitor, t, { username: 'someone@gmail.com', password: 'wrong' }, 1);
        await expect(errorSummary(visitor)).toBeVisible();
        await expectNoA11yViolations(visitor, `${name} error`);
      }
      // The accent is the button's colour where it was checked; with system on a dark device, Mailport's own.
      const background = await visitor
        .getByRole('button', { name: CATALOGUES.ja.signIn!.submit! })
        .evaluate((element) => getComputedStyle(element).backgroundColor);
      if (theme === 'system') expect(background).not.toBe(hexToRgb(accent));
      else expect(background).toBe(hexToRgb(accent));
      await context.close();
    });
  }

  test('keyboard only, in focus order with a visible focus, and announced errors', async ({ page, api }) => {
    const mailbox = await newMailbox();
    const { token, browser_redirect_url } = await createToken(api);
    await page.goto(browser_redirect_url);
    const focused = () =>
      page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        const style = getComputedStyle(element);
        return {
          name: element.getAttribute('name') ?? element.textContent?.trim() ?? '',
          outline: style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2,
        };
      });
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      await page.keyboard.press('Tab');
      const now = await focused();
      expect(now.outline, `visible focus on ${now.name}`).toBe(true);
      order.push(now.name);
    }
    expect(order).toEqual(['Skip to content', 'email', 'firstName', 'lastName', 'Continue']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.type(mailbox.email);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Connect mailbox' })).toBeVisible();

    // The password first, then the advanced settings opened with the keyboard.
    const tabTo = async (name: string) => {
      for (let i = 0; i < 20 && (await focused()).name !== name; i++) await page.keyboard.press('Tab');
      expect((await focused()).name).toBe(name);
    };
    await tabTo('password');
    await page.keyboard.type('wrong-password');
    // A guessed server opens "Advanced settings" by itself; otherwise Enter on its summary would.
    expect(await page.locator('details').evaluate((element) => (element as HTMLDetailsElement).open)).toBe(true);
    await tabTo('server');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('127.0.0.1');
    await page.keyboard.press('Tab');
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type(String(dovecot.port));
    await page.keyboard.press('Tab');
    await page.keyboard.press('End'); // Security: None
    await page.keyboard.press('Tab'); // the username, already the address
    await page.keyboard.press('Enter');
    await expect(errorSummary(page)).toContainText('did not accept this username and password');
    await expect(errorSummary(page)).toBeFocused();
    await tabTo('password');
    await page.keyboard.type(mailbox.password);
    await page.keyboard.press('Enter');
    await page.waitForURL((url) => url.pathname === '/mailbox-connected');
    expect(new URL(page.url()).searchParams.get('contextio_token')).toBe(token);
  });

  for (const [label, viewport] of [
    ['320 px wide', { width: 320, height: 640 }],
    ['200 % zoom of a 1280 px window', { width: 640, height: 450 }],
  ] as const) {
    test(`${label}: nothing lost, no horizontal scrolling`, async ({ browser, api }) => {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const { browser_redirect_url } = await createToken(api, { email: 'someone@gmail.com', locale: 'de' });
      await page.goto(browser_redirect_url);
      await page.getByText('Erweiterte Einstellungen').click();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      for (const control of await page
        .locator('main')
        .locator('input:not([type=hidden]), select, button, a')
        .filter({ visible: true })
        .all()) {
        const box = await control.boundingBox();
        expect(box, await control.evaluate((element) => element.outerHTML.slice(0, 80))).not.toBeNull();
        expect(box!.x).toBeGreaterThanOrEqual(0);
        expect(box!.x + box!.width).toBeLessThanOrEqual(viewport.width);
      }
      await expectNoA11yViolations(page, label);
      await context.close();
    });
  }

  test('the accessibility statement is linked from every connect page', async ({ page, api }) => {
    const { browser_redirect_url } = await createToken(api, { locale: 'fr' });
    await page.goto(browser_redirect_url);
    await page.getByRole('link', { name: 'Accessibilité' }).click();
    await expect(page.getByRole('heading', { level: 1, name: 'Accessibility statement' })).toBeVisible();
    await expect(page.getByText('WCAG) 2.2')).toBeVisible();
    await expectNoA11yViolations(page, 'statement');
  });
});

function hexToRgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}
