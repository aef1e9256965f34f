import { createDeveloper, runOperatorScript } from '../fixtures/cli';
import { checkPage, expect, formError, signIn, signUp, test, uniqueEmail } from '../fixtures/dashboard';
import { testServer } from '../fixtures/servers';

test.describe('dashboard sign-in', () => {
  test('sign up, sign out, refused with a wrong password, back in where we left off', async ({ page }, testInfo) => {
    const email = uniqueEmail('auth');
    await page.goto('/dashboard/sign-up');
    await checkPage(page, testInfo, 'sign-up');
    await signUp(page, { email, password: 'my long password', appName: 'Auth App' });

    const cookie = (await page.context().cookies()).find((candidate) => candidate.name === 'mailport_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.value.length).toBeGreaterThanOrEqual(43);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByText('You have signed out.')).toBeVisible();
    await page.goto('/dashboard/tokens');
    await expect(page).toHaveURL(/\/dashboard\/sign-in\?next=%2Fdashboard%2Ftokens$/);
    await checkPage(page, testInfo, 'sign-in');

    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('not my password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(formError(page)).toHaveText('That email and password do not match. Check them and try again.');
    await expect(formError(page)).toBeFocused();
    await expect(page.getByLabel('Email address')).toHaveValue(email);

    await page.getByLabel('Password').fill('my long password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page).toHaveURL(/\/dashboard\/tokens$/);
    await expect(page.getByRole('heading', { level: 1, name: 'Connect tokens' })).toBeVisible();
  });

  test('a signed-out visit to a made-up, overlong dashboard path goes to sign-in without carrying the path', async ({
    page,
  }) => {
    // A fuzz found it: the path came back in the redirect's Location three times over (16 KB and more), past
    // what Node's HTTP clients and proxies accept. A path sign-in can follow is still carried (test above).
    const overlong = `/dashboard/accounts/${'%F0%9F%93%A7'.repeat(700)}`;
    const response = await page.request.get(overlong, { maxRedirects: 0 });
    expect(response.status()).toBe(307);
    expect(response.headers().location).toBe('/dashboard/sign-in');
    const carried = await page.request.get('/dashboard/accounts/not-an-account', { maxRedirects: 0 });
    expect(carried.headers().location).toBe('/dashboard/sign-in?next=%2Fdashboard%2Faccounts%2Fnot-an-account');
  });

  test('sign-up refuses a taken email and a short password with messages at the fields', async ({ page }) => {
    const email = uniqueEmail('taken');
    await signUp(page, { email, password: 'first password!', appName: 'First' });
    await page.context().clearCookies();
    await page.goto('/dashboard/sign-up');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('App name').fill('Second');
    await page.getByLabel('Password').fill('short');
    // Skip the browser's own minlength check: the server must say the same.
    await page.locator('form').evaluate((form) => {
      (form as HTMLFormElement).noValidate = true;
    });
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByLabel('Password')).toHaveAttribute('aria-invalid', 'true');
    await expect(page.getByText('Use at least 10 characters.').first()).toBeVisible();

    await page.getByLabel('Password').fill('long enough password');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(formError(page)).toContainText('This email already has an account.');
    await expect(page.getByLabel('Email address')).toHaveAttribute('aria-invalid', 'true');
  });

  test('the operator command prints a one-time link that sets a password for a CLI-made developer', async ({
    page,
  }, testInfo) => {
    const server = testServer(testInfo.project.name);
    const email = uniqueEmail('reset');
    await createDeveloper(server, email, 'CLI Made App');

    const unknown = await runOperatorScript(server, 'scripts/dashboard-password.ts', ['--email', 'nobody@example.com']);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toMatch(/^dashboard:password: no developer has the email nobody@example.com/);

    const result = await runOperatorScript(server, 'scripts/dashboard-password.ts', ['--email', email.toUpperCase()]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const link = result.stdout.match(/http:\/\/localhost:\d+\/dashboard\/reset-password\/[\w-]+/)?.[0];
    expect(link, result.stdout).toBeTruthy();

    await page.goto(new URL(link!).pathname);
    await checkPage(page, testInfo, 'reset-password');
    await page.getByLabel('New password', { exact: true }).fill('chosen by link 1');
    await page.getByLabel('Type the new password again').fill('chosen by link 2');
    await page.getByRole('button', { name: 'Save password and sign in' }).click();
    await expect(formError(page)).toHaveText('The two passwords differ. Type the same password twice.');

    await page.getByLabel('New password', { exact: true }).fill('chosen by link 1');
    await page.getByLabel('Type the new password again').fill('chosen by link 1');
    await page.getByRole('button', { name: 'Save password and sign in' }).click();
    await expect(page.getByText('Your new password is saved and you are signed in.')).toBeVisible();
    await expect(page.getByRole('heading', { level: 1, name: 'CLI Made App' })).toBeVisible();

    // The link works once.
    await page.goto(new URL(link!).pathname);
    await expect(page.getByRole('heading', { level: 1, name: 'This link does not work' })).toBeVisible();

    await page.context().clearCookies();
    await signIn(page, email, 'chosen by link 1');
    await expect(page.getByRole('heading', { level: 1, name: 'CLI Made App' })).toBeVisible();
  });

  test('sign-out refuses a POST without the session-bound CSRF token', async ({ page }) => {
    await signUp(page, { email: uniqueEmail('csrf'), password: 'csrf password 1', appName: 'CSRF App' });
    const response = await page.request.post('/dashboard/sign-out', { form: { csrf: 'forged' }, maxRedirects: 0 });
    expect(response.status()).toBe(403);
    await page.goto('/dashboard');
    await expect(page.getByRole('heading', { level: 1, name: 'CSRF App' })).toBeVisible();
  });

  test('a server action from another origin is refused', async ({ page }) => {
    await signUp(page, { email: uniqueEmail('origin'), password: 'origin password', appName: 'Origin App' });
    await page.goto('/dashboard/keys');
    // Replay the keys form's own fields, but claim to come from another site.
    const fields = await page
      .locator('form#key-actions input')
      .evaluateAll((inputs) =>
        Object.fromEntries(
          inputs.map((input) => [(input as HTMLInputElement).name, (input as HTMLInputElement).value]),
        ),
      );
    const response = await page.request.post('/dashboard/keys', {
      multipart: { ...fields, intent: 'create' },
      headers: { origin: 'https://evil.example.net' },
      maxRedirects: 0,
    });
    expect(response.status()).toBeGreaterThanOrEqual(400);
    await page.reload();
    await expect(page.getByText('No API keys yet')).toBeVisible();
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('sign in, create a key and a connect token with plain form posts', async ({ page }) => {
    const email = uniqueEmail('nojs');
    await signUp(page, { email, password: 'no script password', appName: 'No JS App' });
    await page.goto('/dashboard/keys');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await expect(page.getByRole('heading', { name: 'Your new API key' })).toBeVisible();
    await expect(page.getByLabel('Consumer secret')).toHaveValue(/^[0-9A-Za-z]{32}$/);
    // No JavaScript, no Copy button: the read-only field is there to select.
    await expect(page.getByRole('button', { name: 'Copy' })).toHaveCount(0);

    await page.goto('/dashboard/tokens/new');
    await page.getByLabel('Callback URL', { exact: true }).fill('javascript:alert(1)');
    await page.getByRole('button', { name: 'Create connect token' }).click();
    await expect(formError(page)).toContainText('invalid parameter callback_url');
    await page.getByLabel('Callback URL', { exact: true }).fill('https://nojs.example.com/back');
    await page.getByRole('button', { name: 'Create connect token' }).click();
    await expect(page.getByText('Connect token created.')).toBeVisible();
    await expect(page.getByLabel('Browser redirect URL')).toHaveValue(/\/connect\/[0-9a-z]{16}$/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByText('You have signed out.')).toBeVisible();
  });
});
