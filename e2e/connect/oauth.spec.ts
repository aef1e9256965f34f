import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { type ContextIoClient, expect, test } from '../fixtures/api';
import { addProvider, consent, newOAuthMailbox, PROVIDER_NAME, type ProviderType } from '../fixtures/oauth-flow';
import { oauthWorld } from '../fixtures/oauth-world';
import { type PartnerApp, startPartnerApp } from '../fixtures/partner';

/**
 * Gmail and Outlook mailboxes through OAuth2, end to end: the partner adds its
 * Google/Microsoft client (/2.0/oauth_providers), a real Chromium walks the
 * connect pages and the stand-in provider's consent page, a real Dovecot checks
 * the access tokens by introspection (XOAUTH2), and the partner reads the
 * result over the signed API. Runs on PGlite and PostgreSQL (connect-* projects).
 */

let partner: PartnerApp;

test.beforeAll(async () => {
  partner = await startPartnerApp();
});
test.afterAll(async () => {
  await partner?.close();
});

async function createToken(api: ContextIoClient, form: Record<string, string> = {}, path = '/2.0/connect_tokens') {
  const created = await api.post(path, { form: { callback_url: partner.callbackUrl, ...form } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { token: string; browser_redirect_url: string };
}

async function expectBackAtPartner(page: Page, token: string) {
  await page.waitForURL((url) => url.pathname === '/mailbox-connected');
  expect(new URL(page.url()).searchParams.get('contextio_token')).toBe(token);
}

/** The account the used token produced, and its only source. */
async function connectedSource(api: ContextIoClient, token: string) {
  const body = (await api.get(`/2.0/connect_tokens/${token}`)).body as any;
  expect(body.used).toBeGreaterThan(0);
  return { accountId: body.account.id as string, source: body.account.sources[0] };
}

/**
 * Waits for the new mailbox's first sync. In embedded mode the job queue keeps pg-boss's pace (a job a
 * second per slot, docs/decisions.md) and, late in the e2e run, earlier specs' failing syncs queue ahead
 * of it: allow for that in the test's own budget too, not only in the poll.
 */
async function waitForSubjects(api: ContextIoClient, accountId: string, subjects: string[]) {
  test.setTimeout(Math.max(test.info().timeout, 120_000));
  await expect
    .poll(
      async () => ((await api.get(`/2.0/accounts/${accountId}/messages`)).body as any[]).map((m) => m.subject).sort(),
      { timeout: 60_000, intervals: [300] },
    )
    .toEqual(expect.arrayContaining(subjects));
}

/** Connects a new mailbox through "Continue with …" and returns where it landed. */
async function connectThroughProvider(page: Page, api: ContextIoClient, type: ProviderType, email: string, form = {}) {
  const { token, browser_redirect_url } = await createToken(api, { email, ...form });
  await page.goto(browser_redirect_url);
  await page.getByRole('link', { name: `Continue with ${PROVIDER_NAME[type]}` }).click();
  await consent(page, email);
  await expectBackAtPartner(page, token);
  return { token, ...(await connectedSource(api, token)) };
}

test('a Gmail mailbox connects with "Continue with Google" (JavaScript on), syncs, and says oauth2', async ({
  page,
  api,
}) => {
  await addProvider(api, 'GMAIL_OAUTH2');
  const email = await newOAuthMailbox('GMAIL_OAUTH2', ['First Gmail message']);
  const { token, browser_redirect_url } = await createToken(api, { email });
  await page.goto(browser_redirect_url);
  const continueLink = page.getByRole('link', { name: 'Continue with Google' });
  await expect(continueLink).toBeVisible();
  // Google still takes app passwords: that form stays, below.
  await expect(page.getByRole('heading', { name: 'Or sign in with an app password' })).toBeVisible();
  await expect(page.getByLabel('App password')).toBeVisible();
  expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);

  await continueLink.click();
  await consent(page, email);
  await expectBackAtPartner(page, token);
  const { accountId, source } = await connectedSource(api, token);
  expect(source).toMatchObject({ email, authentication_type: 'oauth2', status: 'OK' });
  expect(JSON.stringify(source)).not.toMatch(/rt\.|at\./);
  await waitForSubjects(api, accountId, ['First Gmail message']);
});

test.describe('JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('an Outlook mailbox connects with "Continue with Microsoft" and no password form', async ({ page, api }) => {
    await addProvider(api, 'MSLIVECONNECT');
    const email = await newOAuthMailbox('MSLIVECONNECT', ['Outlook hello']);
    const { token, browser_redirect_url } = await createToken(api, { email });
    await page.goto(browser_redirect_url);
    await expect(page.getByRole('link', { name: 'Continue with Microsoft' })).toBeVisible();
    // Microsoft turned basic authentication off: no password form to fail in.
    await expect(page.getByLabel(/password/i)).toHaveCount(0);
    await page.getByRole('link', { name: 'Continue with Microsoft' }).click();
    await consent(page, email);
    await expectBackAtPartner(page, token);
    const { accountId, source } = await connectedSource(api, token);
    expect(source).toMatchObject({ label: `${email.split('@')[0]}::outlook`, authentication_type: 'oauth2' });
    await waitForSubjects(api, accountId, ['Outlook hello']);
  });
});

test('an account-level token adds an OAuth mailbox to an existing account', async ({ page, api }) => {
  await addProvider(api, 'GMAIL_OAUTH2');
  const first = await newOAuthMailbox('GMAIL_OAUTH2', ['In the first mailbox']);
  const { accountId } = await connectThroughProvider(page, api, 'GMAIL_OAUTH2', first);
  const third = await newOAuthMailbox('GMAIL_OAUTH2', ['In the third mailbox']);
  const level = await createToken(api, { email: third }, `/2.0/accounts/${accountId}/connect_tokens`);
  await page.goto(level.browser_redirect_url);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  await consent(page, third);
  await expectBackAtPartner(page, level.token);
  const sources = (await api.get(`/2.0/accounts/${accountId}/sources`)).body as any[];
  expect(sources.map((source) => source.email).sort()).toEqual([first, third].sort());
  expect(sources.every((source) => source.authentication_type === 'oauth2')).toBe(true);
  await waitForSubjects(api, accountId, ['In the first mailbox', 'In the third mailbox']);
});

test('a sync after the access token expired refreshes it and keeps syncing', async ({ page, api }) => {
  await addProvider(api, 'MSLIVECONNECT');
  const email = await newOAuthMailbox('MSLIVECONNECT', ['Before expiry']);
  const { accountId, source } = await connectThroughProvider(page, api, 'MSLIVECONNECT', email);
  await waitForSubjects(api, accountId, ['Before expiry']);

  // The hour passes at the provider: the stored access token no longer opens the mailbox.
  await oauthWorld.expireAccessTokens(email);
  await oauthWorld.seedMailbox(email, ['After expiry']);
  const refreshesBefore = (await oauthWorld.stats()).refreshes;
  const sync = await api.post(`/2.0/accounts/${accountId}/sources/${encodeURIComponent(source.label)}/sync`);
  expect(sync.status).toBe(202);
  await waitForSubjects(api, accountId, ['Before expiry', 'After expiry']);
  // The new mail may come first through the live connection (its IMAP session logged in before the expiry);
  // the queued sync's login is the one that must refresh, whenever the queue runs it.
  await expect
    .poll(async () => (await oauthWorld.stats()).refreshes, { timeout: 30_000, intervals: [200] })
    .toBeGreaterThan(refreshesBefore);
  const after = (await api.get(`/2.0/accounts/${accountId}/sources/${encodeURIComponent(source.label)}`)).body as any;
  expect(after.status).toBe('OK');
});

test('a revoked grant: INVALID_CREDENTIALS, the status callback, then re-authorisation keeps account, label and data', async ({
  page,
  api,
}) => {
  await addProvider(api, 'GMAIL_OAUTH2');
  const email = await newOAuthMailbox('GMAIL_OAUTH2', ['Kept through revocation']);
  const { accountId, source } = await connectThroughProvider(page, api, 'GMAIL_OAUTH2', email, {
    status_callback_url: partner.statusCallbackUrl,
  });
  await waitForSubjects(api, accountId, ['Kept through revocation']);
  const sourcePath = `/2.0/accounts/${accountId}/sources/${encodeURIComponent(source.label)}`;

  await oauthWorld.revokeUser(email);
  await oauthWorld.expireAccessTokens(email);
  expect((await api.post(`${sourcePath}/sync`)).status).toBe(202);
  await expect
    .poll(async () => ((await api.get(sourcePath)).body as any).status, { timeout: 30_000, intervals: [300] })
    .toBe('INVALID_CREDENTIALS');
  await expect
    .poll(() => partner.statusCallbacks.find((body) => body.label === source.label)?.status, { timeout: 30_000 })
    .toBe('INVALID_CREDENTIALS');

  // The partner sends the user through a source-level token: the same OAuth path.
  const reconnect = await createToken(api, {}, `${sourcePath}/connect_tokens`);
  await page.goto(reconnect.browser_redirect_url);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  await consent(page, email);
  await expectBackAtPartner(page, reconnect.token);
  const reauthorised = (await api.get(sourcePath)).body as any;
  expect(reauthorised).toMatchObject({ label: source.label, status: 'OK', authentication_type: 'oauth2' });
  await oauthWorld.seedMailbox(email, ['After re-authorisation']);
  expect((await api.post(`${sourcePath}/sync`)).status).toBe(202);
  await waitForSubjects(api, accountId, ['Kept through revocation', 'After re-authorisation']);
});

test.describe('each failure has its own page with a retry and a way back', () => {
  async function startAndFail(page: Page, api: ContextIoClient, options: { providerSecret?: string } = {}) {
    await addProvider(api, 'GMAIL_OAUTH2', options);
    const email = await newOAuthMailbox('GMAIL_OAUTH2');
    const created = await createToken(api, { email });
    await page.goto(created.browser_redirect_url);
    await page.getByRole('link', { name: 'Continue with Google' }).click();
    return { email, ...created };
  }

  async function expectFailurePage(page: Page, token: string, heading: RegExp, retry: string | RegExp) {
    await page.waitForURL((url) => url.pathname === `/connect/${token}`);
    await expect(page.getByRole('heading', { name: heading })).toBeVisible();
    await expect(page.getByRole('link', { name: retry })).toHaveAttribute(
      'href',
      new RegExp(`/connect/${token}/oauth`),
    );
    await expect(page.getByRole('link', { name: 'Back to Test Partner App', exact: true })).toHaveAttribute(
      'href',
      `/connect/${token}/cancel`,
    );
  }

  test('denied consent, then a retry that works', async ({ page, api }) => {
    const { email, token } = await startAndFail(page, api);
    await consent(page, email, 'Deny');
    await expectFailurePage(page, token, /You did not allow access/, 'Try again');
    expect((await new AxeBuilder({ page }).analyze()).violations).toEqual([]);
    await page.getByRole('link', { name: 'Try again' }).click();
    await consent(page, email);
    await expectBackAtPartner(page, token);
  });

  test('a different account than the token named', async ({ page, api }) => {
    const { token } = await startAndFail(page, api);
    await consent(page, `someone-else-${Date.now()}@gmail.com`);
    await expectFailurePage(page, token, /different account/, 'Use another account');
  });

  test('an expired or replayed state', async ({ page, api }) => {
    const { email, token } = await startAndFail(page, api);
    await consent(page, email);
    await expectBackAtPartner(page, token);
    // The same provider answer again, in a fresh flow of another token: its state is not this flow's.
    const other = await startAndFail(page, api);
    const replay = new URL(`/connect/oauth/callback?state=${other.token}.not-the-state&code=code.x`, page.url());
    await page.goto(`${new URL(other.browser_redirect_url).origin}${replay.pathname}${replay.search}`);
    await expectFailurePage(page, other.token, /This sign-in has expired/, 'Try again');
  });

  test('the provider answers with an error (a client secret it does not know)', async ({ page, api }) => {
    const { email, token } = await startAndFail(page, api, { providerSecret: 'not-what-mailport-was-given' });
    await consent(page, email);
    await expectFailurePage(page, token, /Google sign-in did not work/, 'Try again');
  });

  test('the provider is down', async ({ page, api }) => {
    const { email, token } = await startAndFail(page, api);
    await oauthWorld.configure({ down: 'token' });
    try {
      await consent(page, email);
      await expectFailurePage(page, token, /Google is not answering/, 'Try again');
    } finally {
      await oauthWorld.configure({ down: 'no' });
    }
    await page.getByRole('link', { name: 'Back to Test Partner App', exact: true }).click();
    await page.waitForURL((url) => url.pathname === '/mailbox-connected');
    expect(new URL(page.url()).searchParams.get('error')).toBe('cancelled');
  });
});
