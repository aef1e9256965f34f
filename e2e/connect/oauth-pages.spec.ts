import { readFileSync } from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { type ContextIoClient, expect, test } from '../fixtures/api';
import { addProvider, consent, newOAuthMailbox } from '../fixtures/oauth-flow';
import { oauthWorld } from '../fixtures/oauth-world';
import { openPartnerTab, type PartnerApp, popupResult, startPartnerApp, startPartnerPage } from '../fixtures/partner';

/**
 * The OAuth sign-in joined with the connect pages of issue 15: refused consent
 * back to the partner (redirect_on_error), identity pinning at the provider,
 * the OAuth pages in German and Japanese (light and dark), and popup mode
 * through the stand-in Google. Real Chromium, the local authorization server
 * and its XOAUTH2 Dovecot (e2e/fixtures/oauth-world.ts), PGlite and PostgreSQL.
 */

type Catalogue = Record<string, any>;
const catalogue = (locale: string): Catalogue =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, `../../lib/i18n/messages/${locale}.json`), 'utf8'));
/** A catalogue key shown as text means a missing message (next-intl prints the key). */
const RAW_KEY =
  /\b(common|frame|titles|steps|links|finish|identity|signIn|errors|fieldProblems|providerNotes|oauth)\.[a-z_-]+/i;
/** The catalogue's ICU placeholders filled in, as the page shows them. */
const fill = (message: string, values: Record<string, string>) =>
  message.replace(/\{(\w+)\}/g, (whole, name: string) => values[name] ?? whole);

let partner: PartnerApp;

test.beforeAll(async () => {
  partner = await startPartnerApp();
});
test.afterAll(async () => {
  await partner?.close();
});

async function createToken(api: ContextIoClient, form: Record<string, string> = {}, pathname = '/2.0/connect_tokens') {
  const created = await api.post(pathname, { form: { callback_url: partner.callbackUrl, ...form } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { token: string; browser_redirect_url: string };
}

/** Back at the partner's callback_url: its query. */
async function backAtPartner(page: Page): Promise<Record<string, string>> {
  await page.waitForURL((url) => url.pathname === '/mailbox-connected');
  return Object.fromEntries(new URL(page.url()).searchParams);
}

const tokenBody = async (api: ContextIoClient, token: string) => (await api.get(`/2.0/connect_tokens/${token}`)).body;

test.describe('refused consent', () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`goes back to the partner with error=access_denied under redirect_on_error=1, to our page without (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async ({
      browser,
      api,
    }) => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await addProvider(api, 'GMAIL_OAUTH2');
      const email = await newOAuthMailbox('GMAIL_OAUTH2');

      const asked = await createToken(api, { email, redirect_on_error: '1' });
      await page.goto(asked.browser_redirect_url);
      await page.getByRole('link', { name: 'Continue with Google' }).click();
      await consent(page, email, 'Deny');
      expect(await backAtPartner(page)).toEqual({
        user: '42',
        contextio_token: asked.token,
        error: 'access_denied',
        error_description: 'The user did not allow access at the mail provider.',
      });
      expect((await tokenBody(api, asked.token)).used).toBe(0);

      // Without the flag: our failure page, whose retry still connects.
      const plain = await createToken(api, { email });
      await page.goto(plain.browser_redirect_url);
      await page.getByRole('link', { name: 'Continue with Google' }).click();
      await consent(page, email, 'Deny');
      await page.waitForURL((url) => url.pathname === `/connect/${plain.token}`);
      await expect(page.getByRole('heading', { name: 'You did not allow access' })).toBeVisible();
      await page.getByRole('link', { name: 'Try again' }).click();
      await consent(page, email);
      expect(await backAtPartner(page)).toEqual({ user: '42', contextio_token: plain.token });
      await context.close();
    });
  }
});

test.describe('identity pinning at the provider', () => {
  for (const javaScriptEnabled of [true, false]) {
    test(`an @domain token accepts any address of the domain and refuses another domain (JavaScript ${javaScriptEnabled ? 'on' : 'off'})`, async ({
      browser,
      api,
    }) => {
      const context = await browser.newContext({ javaScriptEnabled });
      const page = await context.newPage();
      await addProvider(api, 'GMAIL_OAUTH2');
      const signedIn = await newOAuthMailbox('GMAIL_OAUTH2', ['Somewhere in the domain']);
      // redirect_on_error=1 too: a wrong account is retried on our page, not sent back as an error.
      const { token, browser_redirect_url } = await createToken(api, { email: '@gmail.com', redirect_on_error: '1' });
      await page.goto(browser_redirect_url);
      // The end user types one address of the domain, then signs in at Google as another one of it.
      await page.getByLabel('Your email address').fill(`typed-${Date.now()}`);
      await page.getByRole('button', { name: 'Continue' }).click();
      await page.getByRole('link', { name: 'Continue with Google' }).click();
      await consent(page, `someone-${Date.now()}@outlook.com`);
      await page.waitForURL((url) => url.pathname === `/connect/${token}`);
      await expect(page.getByRole('heading', { name: 'That is a different account' })).toBeVisible();
      expect((await tokenBody(api, token)).used).toBe(0);

      await page.getByRole('link', { name: 'Use another account' }).click();
      await consent(page, signedIn);
      expect((await backAtPartner(page)).contextio_token).toBe(token);
      const used = await tokenBody(api, token);
      expect(used.account.sources).toEqual([expect.objectContaining({ email: signedIn })]);
      await context.close();
    });
  }

  test('a source-level re-authorisation refuses a different account, then re-authorises its own', async ({
    page,
    api,
  }) => {
    await addProvider(api, 'GMAIL_OAUTH2');
    const owner = await newOAuthMailbox('GMAIL_OAUTH2', ['The owner’s mail']);
    // A real mailbox at the same provider: had it been accepted, its login would have worked.
    const intruder = await newOAuthMailbox('GMAIL_OAUTH2', ['Someone else’s mail']);
    const first = await createToken(api, { email: owner });
    await page.goto(first.browser_redirect_url);
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    await consent(page, owner);
    await backAtPartner(page);
    const { account } = await tokenBody(api, first.token);
    const label = account.sources[0].label as string;
    const sourcePath = `/2.0/accounts/${account.id}/sources/${encodeURIComponent(label)}`;

    const reconnect = await createToken(api, {}, `${sourcePath}/connect_tokens`);
    await page.goto(reconnect.browser_redirect_url);
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    await consent(page, intruder);
    await page.waitForURL((url) => url.pathname === `/connect/${reconnect.token}`);
    await expect(page.getByRole('heading', { name: 'That is a different account' })).toBeVisible();
    expect((await tokenBody(api, reconnect.token)).used).toBe(0);

    await page.getByRole('link', { name: 'Use another account' }).click();
    await consent(page, owner);
    expect((await backAtPartner(page)).contextio_token).toBe(reconnect.token);
    const sources = (await api.get(`/2.0/accounts/${account.id}/sources`)).body as any[];
    expect(sources).toEqual([expect.objectContaining({ label, email: owner, authentication_type: 'oauth2' })]);
  });
});

test.describe('languages', () => {
  for (const locale of ['de', 'ja'] as const) {
    test(`${locale}: "Continue with Google" and every OAuth failure page, with no missing key, lang set, axe light and dark`, async ({
      browser,
      newDeveloper,
    }) => {
      test.setTimeout(180_000);
      const t = catalogue(locale);
      const failures = t.oauth.failures as Record<string, { title: string; body: string }>;
      const values = { provider: 'Google', appName: 'Test Partner App' };
      const api = await newDeveloper('Test Partner App');
      const { clientId, secret } = await addProvider(api, 'GMAIL_OAUTH2');
      const email = await newOAuthMailbox('GMAIL_OAUTH2');
      const { token, browser_redirect_url } = await createToken(api, { email, locale });
      // The browser asks for the same language: the one page without a token (a mangled state) goes by it.
      const context = await browser.newContext({ locale });
      const page = await context.newPage();
      const mailport = new URL(browser_redirect_url).origin;

      const check = async (name: string) => {
        await expect(page.locator('html')).toHaveAttribute('lang', locale);
        const text = await page.locator('body').innerText();
        expect(text.match(RAW_KEY)?.[0] ?? null, `a catalogue key on ${name}`).toBeNull();
        for (const colorScheme of ['light', 'dark'] as const) {
          await page.emulateMedia({ colorScheme });
          const results = await new AxeBuilder({ page })
            .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
            .analyze();
          expect(
            results.violations.map((violation) => `${violation.id}: ${violation.nodes[0]?.html}`),
            `axe on ${locale} ${name} (${colorScheme})`,
          ).toEqual([]);
        }
        await page.emulateMedia({ colorScheme: 'light' });
      };
      const failurePage = async (code: string) => {
        await page.waitForURL((url) => url.pathname === `/connect/${token}`);
        await expect(page.getByRole('heading', { level: 2 })).toHaveText(fill(failures[code]!.title, values));
        await expect(page.locator('#form-error')).toHaveText(fill(failures[code]!.body, values));
        await expect(page.getByRole('link', { name: fill(t.oauth.backToApp, values), exact: true })).toHaveAttribute(
          'href',
          `/connect/${token}/cancel`,
        );
        await check(code);
      };

      await page.goto(browser_redirect_url);
      const continueLink = page.getByRole('link', { name: fill(t.oauth.continueWith, values) });
      await expect(continueLink).toBeVisible();
      await expect(page.getByText(fill(t.oauth.continueHint, values))).toBeVisible();
      await expect(page.getByRole('heading', { name: t.oauth.orPassword })).toBeVisible();
      await check('continue');

      await continueLink.click();
      await consent(page, email, 'Deny');
      await failurePage('oauth_denied');

      await page.getByRole('link', { name: t.oauth.retry }).click();
      await consent(page, `someone-${Date.now()}@outlook.com`);
      await failurePage('oauth_wrong_account');

      // The provider no longer takes the client secret Mailport holds: its token endpoint answers an error.
      await oauthWorld.registerClient(clientId, 'not-the-secret-mailport-holds');
      await page.getByRole('link', { name: t.oauth.anotherAccount }).click();
      await consent(page, email);
      await failurePage('oauth_provider_error');
      await oauthWorld.registerClient(clientId, secret);

      await oauthWorld.configure({ down: 'token' });
      try {
        await page.getByRole('link', { name: t.oauth.retry }).click();
        await consent(page, email);
        await failurePage('oauth_provider_down');
      } finally {
        await oauthWorld.configure({ down: 'no' });
      }

      // An answer whose state is not the flow's (replayed, or from another browser).
      await page.goto(`${mailport}/connect/oauth/callback?state=${token}.replayed&code=code.replayed`);
      await failurePage('oauth_state_invalid');

      // The developer removed its Google client meanwhile: the page still names Google.
      expect((await api.delete(`/2.0/oauth_providers/${clientId}`)).status).toBe(200);
      await page.getByRole('link', { name: t.oauth.retry }).click();
      await failurePage('oauth_unavailable');
      await expect(page.getByRole('link', { name: t.oauth.retry })).toHaveCount(0);

      // A state that names no connect token at all: nothing to go back to, in the browser's language.
      await page.goto(`${mailport}/connect/oauth/callback?state=mangled&code=code.mangled`);
      await page.waitForURL((url) => url.pathname === '/connect/oauth/invalid');
      await expect(page.getByRole('heading', { level: 1 })).toHaveText(t.links.notFoundTitle);
      await check('invalid state');
      await context.close();
    });
  }
});

test('popup mode: a partner page on another origin signs in with Google and hears contextio_token', async ({
  browser,
  api,
  baseURL,
}) => {
  const partnerPage = await startPartnerPage(new URL(baseURL ?? '').origin);
  const context = await browser.newContext();
  try {
    await addProvider(api, 'GMAIL_OAUTH2');
    const email = await newOAuthMailbox('GMAIL_OAUTH2', ['Connected in a popup']);
    // redirect_on_error=1 as well: popup mode ignores it (the opener is told instead).
    const created = await api.post('/2.0/connect_tokens', {
      form: { callback_url: `${partnerPage.origin}/done`, mode: 'popup', email, redirect_on_error: '1' },
    });
    expect(created.status).toBe(201);
    const { token } = created.body as { token: string };
    const page = await openPartnerTab(context, partnerPage.origin, token);
    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      page.getByRole('button', { name: 'Connect' }).click(),
    ]);

    // A refused consent stays in the popup with a retry; the partner has heard nothing yet.
    await popup.getByRole('link', { name: 'Continue with Google' }).click();
    await consent(popup, email, 'Deny');
    await expect(popup.getByRole('heading', { name: 'You did not allow access' })).toBeVisible();
    expect(await popupResult(page)).toBeNull();

    await popup.getByRole('link', { name: 'Try again' }).click();
    const closed = popup.waitForEvent('close');
    await consent(popup, email);
    await closed;
    await expect.poll(() => popupResult(page)).toEqual({ ok: true, value: { contextio_token: token } });
    const messages = await page.evaluate(() => (window as unknown as { __messages: unknown[] }).__messages);
    expect(messages).toEqual([
      {
        origin: new URL(baseURL ?? '').origin,
        data: { source: 'mailport', type: 'connected', contextio_token: token },
      },
    ]);
    const used = await tokenBody(api, token);
    expect(used.account.sources).toEqual([expect.objectContaining({ email, authentication_type: 'oauth2' })]);
  } finally {
    await context.close();
    await partnerPage.close();
  }
});
