import { advanceClock, redeemToken, runMaintenanceNow } from '../fixtures/admin';
import { expect, test } from '../fixtures/api';
import { testServer } from '../fixtures/servers';

const TOKEN_KEYS = [
  'token',
  'email',
  'created',
  'used',
  'expires',
  'callback_url',
  'first_name',
  'last_name',
  'account',
  'server_label',
  'source_callback_url',
  'status_callback_url',
  'source_sync_all_folders',
  'source_sync_folders',
  'source_sync_flags',
  'source_raw_file_list',
  'source_expunge_on_deleted_flag',
  'resource_url',
  'browser_redirect_url',
  // Mailport's additions for the hosted pages (issue 15; docs/decisions.md), after every Context.IO field.
  'locale',
  'mode',
  'redirect_on_error',
];

test.describe('connect tokens, top level', () => {
  test('create, read, list and delete, in Context.IO shapes, with and without trailing slashes', async ({ api }) => {
    const before = Math.floor(Date.now() / 1000);
    const created = await api.post('/2.0/connect_tokens/', {
      form: {
        callback_url: 'https://partner.example.com/connected?user=42',
        email: 'jane@example.com',
        first_name: 'Jane',
        last_name: '*hidden*',
        source_sync_flags: '1',
        source_callback_url: 'https://partner.example.com/synced',
        body: '', // Python's client sends an empty body= on every POST
        service_level: 'pro', // old PHP clients did too
      },
    });
    expect(created.status).toBe(201);
    expect(created.contentType).toBe('application/json');
    expect(Object.keys(created.body)).toEqual(['success', 'token', 'resource_url', 'browser_redirect_url']);
    const { token } = created.body;
    expect(token).toMatch(/^[0-9a-z]{16}$/);
    expect(created.body.resource_url).toBe(`${api.baseUrl}/2.0/connect_tokens/${token}`);
    expect(created.body.browser_redirect_url).toBe(`${api.baseUrl}/connect/${token}`);

    const fetched = await api.get(`/2.0/connect_tokens/${token}`);
    expect(fetched.status).toBe(200);
    expect(fetched.contentType).toBe('application/json');
    expect(Object.keys(fetched.body)).toEqual(TOKEN_KEYS);
    expect(fetched.body).toMatchObject({
      token,
      email: 'jane@example.com',
      used: 0,
      callback_url: 'https://partner.example.com/connected?user=42',
      first_name: 'Jane',
      last_name: '',
      account: {},
      source_sync_flags: true,
      source_sync_all_folders: false,
      source_callback_url: 'https://partner.example.com/synced',
    });
    expect(fetched.body.created).toBeGreaterThanOrEqual(before - 1);
    expect(fetched.body.expires).toBe(fetched.body.created + 86400);

    // The Node client sends a trailing slash on every path: same resource, no redirect.
    const slashed = await api.get(`/2.0/connect_tokens/${token}/`);
    expect(slashed.status).toBe(200);
    expect(slashed.body).toEqual(fetched.body);

    const listed = await api.get('/2.0/connect_tokens/');
    expect(listed.status).toBe(200);
    expect(Array.isArray(listed.body)).toBe(true);
    expect(listed.body.map((item: { token: string }) => item.token)).toContain(token);

    const deleted = await api.delete(`/2.0/connect_tokens/${token}/`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ success: true });
    const gone = await api.get(`/2.0/connect_tokens/${token}`);
    expect(gone.status).toBe(404);
    expect(gone.body).toEqual({ type: 'error', value: `connect_token ${token} is invalid or has expired` });
  });

  test('accepts multipart (PHP) and JSON bodies', async ({ api }) => {
    const multipart = await api.post('/2.0/connect_tokens', {
      multipart: { callback_url: 'https://partner.example.com/php', first_name: 'Zoë', source_raw_file_list: '1' },
    });
    expect(multipart.status).toBe(201);
    const fromMultipart = await api.get(`/2.0/connect_tokens/${multipart.body.token}`);
    expect(fromMultipart.body).toMatchObject({ first_name: 'Zoë', source_raw_file_list: true });

    const json = await api.post('/2.0/connect_tokens', {
      json: { callback_url: 'myapp://mailbox-connected', email: '@gmail.com', source_sync_all_folders: true },
    });
    expect(json.status).toBe(201);
    const fromJson = await api.get(`/2.0/connect_tokens/${json.body.token}`);
    expect(fromJson.body).toMatchObject({
      callback_url: 'myapp://mailbox-connected',
      email: '@gmail.com',
      source_sync_all_folders: true,
    });
  });

  test('bad input is a 400 naming the parameter, and nothing is stored', async ({ api }) => {
    const count = async () => (await api.get('/2.0/connect_tokens')).body.length;
    const before = await count();
    const cases: [Record<string, string>, string][] = [
      [{}, 'missing required parameter callback_url'],
      [
        { callback_url: 'javascript:alert(1)' },
        'invalid parameter callback_url: expected an absolute http or https URL',
      ],
      [{ callback_url: 'data:text/html,hi' }, 'invalid parameter callback_url'],
      [{ callback_url: '/relative/path' }, 'invalid parameter callback_url'],
      [
        { callback_url: 'https://ok.example.com', source_callback_url: 'myapp://x' },
        'invalid parameter source_callback_url: expected an absolute http or https URL',
      ],
      [
        { callback_url: 'https://ok.example.com', status_callback_url: 'ftp://x.example.com' },
        'invalid parameter status_callback_url',
      ],
      [
        { callback_url: 'https://ok.example.com', source_sync_flags: '2' },
        'invalid parameter source_sync_flags: expected 0 or 1',
      ],
      [{ callback_url: 'https://ok.example.com', email: 'not an email' }, 'invalid parameter email'],
      [
        { callback_url: 'https://ok.example.com', first_name: 'x'.repeat(101) },
        'invalid parameter first_name: expected at most 100 characters',
      ],
    ];
    for (const [form, message] of cases) {
      const response = await api.post('/2.0/connect_tokens', Object.keys(form).length ? { form } : { json: {} });
      expect(response.status, JSON.stringify(form)).toBe(400);
      expect(response.contentType).toBe('application/json');
      expect(response.body.type).toBe('error');
      expect(response.body.value).toContain(message);
    }
    const malformedJson = await fetch(`${api.baseUrl}/2.0/connect_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"callback_url":',
    });
    expect([400, 401]).toContain(malformedJson.status);
    expect(await count()).toBe(before);
  });

  test('a body over the limit is refused with 413', async ({ api }) => {
    const response = await api.post('/2.0/connect_tokens', {
      json: { callback_url: 'https://ok.example.com', padding: 'x'.repeat(70 * 1024) },
    });
    expect(response.status).toBe(413);
    expect(response.body.type).toBe('error');
  });

  test('an unused token expires after 24 hours and is purged a week later; a used one stays', async ({
    api,
  }, testInfo) => {
    const server = testServer(testInfo.project.name);
    const unused = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body
      .token;
    const used = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body
      .token;
    expect((await redeemToken(server, used, { email: `expiry-${Date.now()}@example.com` })).ok).toBe(true);

    await advanceClock(server, 86_400 + 1);
    expect((await api.get(`/2.0/connect_tokens/${unused}`)).status).toBe(404);
    const listed = (await api.get('/2.0/connect_tokens')).body.map((item: { token: string }) => item.token);
    expect(listed).not.toContain(unused);
    expect(listed).toContain(used);
    const usedNow = await api.get(`/2.0/connect_tokens/${used}`);
    expect(usedNow.status).toBe(200);
    expect(usedNow.body.expires).toBe(false);
    // Expired means unusable, before and after the purge.
    expect((await redeemToken(server, unused, { email: 'late@example.com' })).reason).toBe('expired');

    // Expired tokens stay a week for the dashboard's "expired" list, then housekeeping purges them.
    await runMaintenanceNow(server);
    expect((await redeemToken(server, unused, { email: 'late@example.com' })).reason).toBe('expired');
    await advanceClock(server, 7 * 86_400);
    const purged = await runMaintenanceNow(server);
    expect(purged.purged_connect_tokens).toBeGreaterThanOrEqual(1);
    expect((await redeemToken(server, unused, { email: 'late@example.com' })).reason).toBe('not_found');
    expect((await api.get(`/2.0/connect_tokens/${used}`)).status).toBe(200);
  });

  test('a used token shows its account and sources, and can never be used again', async ({ api }, testInfo) => {
    const server = testServer(testInfo.project.name);
    const email = `used-${Date.now()}@example.com`;
    const token = (
      await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com', first_name: 'Ann' } })
    ).body.token;
    const redeemed = await redeemToken(server, token, { email }, { last_name: 'Lee' });
    expect(redeemed.ok).toBe(true);
    expect((await redeemToken(server, token, { email: `other-${email}` })).reason).toBe('already_used');

    const body = (await api.get(`/2.0/connect_tokens/${token}`)).body;
    expect(body.used).toBeGreaterThan(0);
    expect(body.expires).toBe(false);
    expect(body.server_label).toBe(redeemed.sourceLabel);
    expect(body.account).toMatchObject({
      id: redeemed.accountId,
      email_addresses: [email],
      first_name: 'Ann',
      last_name: 'Lee',
      suspended: 0,
      sources: [{ label: redeemed.sourceLabel, server: 'imap.example.com', port: 993, use_ssl: true, status: 'OK' }],
    });
    expect(body.account.id).toMatch(/^[0-9a-f]{24}$/);
    expect(JSON.stringify(body)).not.toContain('mailbox-password');
    // Deleting a used token never deletes the account.
    expect((await api.delete(`/2.0/connect_tokens/${token}`)).status).toBe(200);
    expect((await api.get(`/2.0/accounts/${redeemed.accountId}`)).status).toBe(200);
  });

  test('many concurrent redemptions of one token yield exactly one account', async ({ api }, testInfo) => {
    const server = testServer(testInfo.project.name);
    const token = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body
      .token;
    const emails = Array.from({ length: 16 }, (_, i) => `race-${i}-${Date.now()}@example.com`);
    const results = await Promise.all(emails.map((email) => redeemToken(server, token, { email })));
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(results.filter((result) => result.reason === 'already_used')).toHaveLength(15);
    const accounts = await Promise.all(emails.map((email) => api.get('/2.0/accounts', { query: { email } })));
    expect(accounts.flatMap((response) => response.body)).toHaveLength(1);
  });
});

test.describe('connect tokens under an account and under a source', () => {
  test('account level: 404 for unknown accounts; attach a second mailbox; list only its tokens', async ({
    api,
  }, testInfo) => {
    const server = testServer(testInfo.project.name);
    const unknown = await api.post('/2.0/accounts/000000000000000000000000/connect_tokens', {
      form: { callback_url: 'https://p.example.com' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ type: 'error', value: 'account 000000000000000000000000 is invalid' });

    const first = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body
      .token;
    const account = await redeemToken(server, first, { email: `acct-${Date.now()}@example.com` });
    const base = `/2.0/accounts/${account.accountId}/connect_tokens`;

    const created = await api.post(`${base}/`, {
      form: { callback_url: 'https://p.example.com/second', email: 'second@gmail.com' },
    });
    expect(created.status).toBe(201);
    expect(created.body.resource_url).toBe(`${api.baseUrl}${base}/${created.body.token}`);
    const listed = await api.get(base);
    expect(listed.body.map((item: { token: string }) => item.token)).toEqual([created.body.token]);
    expect((await api.get('/2.0/connect_tokens')).body.map((item: { token: string }) => item.token)).not.toContain(
      created.body.token,
    );
    // The top-level GET also answers for an account-level token.
    expect((await api.get(`/2.0/connect_tokens/${created.body.token}`)).status).toBe(200);

    const attached = await redeemToken(server, created.body.token, {
      email: 'second@gmail.com',
      server: 'imap.gmail.com',
      provider: 'gmail',
    });
    expect(attached).toMatchObject({ ok: true, accountId: account.accountId, sourceLabel: 'second::gmail' });
    const again = (await api.post(base, { form: { callback_url: 'https://p.example.com' } })).body.token;
    expect(
      (await redeemToken(server, again, { email: 'second@gmail.com', server: 'imap.gmail.com', provider: 'gmail' }))
        .reason,
    ).toBe('mailbox_already_attached');
    expect((await api.get(`${base}/${again}`)).body.used).toBe(0);

    const fetched = await api.get(`${base}/${created.body.token}`);
    expect(fetched.body.account.sources.map((source: { label: string }) => source.label)).toEqual([
      account.sourceLabel,
      'second::gmail',
    ]);
    expect((await api.delete(`${base}/${again}`)).body).toEqual({ success: true });
  });

  test('source level: a re-connect token takes only callback_url and lives under the source', async ({
    api,
  }, testInfo) => {
    const server = testServer(testInfo.project.name);
    const first = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body
      .token;
    const account = await redeemToken(server, first, { email: `src-${Date.now()}@example.com` });
    const encodedLabel = encodeURIComponent(account.sourceLabel);
    const base = `/2.0/accounts/${account.accountId}/sources/${encodedLabel}/connect_tokens`;

    const created = await api.post(base, {
      form: { callback_url: 'https://p.example.com/re', email: 'ignored@example.com' },
    });
    expect(created.status).toBe(201);
    expect(created.body.resource_url).toBe(`${api.baseUrl}${base}/${created.body.token}`);
    expect((await api.get(base)).body.map((item: { token: string }) => item.token)).toEqual([created.body.token]);
    // Label 0 means the account's first source.
    const viaZero = await api.get(`/2.0/accounts/${account.accountId}/sources/0/connect_tokens/${created.body.token}`);
    expect(viaZero.status).toBe(200);
    expect(viaZero.body.email).toBe('');

    const missing = await api.post(`/2.0/accounts/${account.accountId}/sources/nope%3A%3Anowhere/connect_tokens`, {
      form: { callback_url: 'https://p.example.com' },
    });
    expect(missing.status).toBe(404);
    expect(missing.body.value).toBe('source nope::nowhere is invalid');

    const redeemed = await redeemToken(server, created.body.token, {
      email: account.sourceLabel.split('::')[0],
      secret: 'new',
    });
    expect(redeemed).toMatchObject({ ok: true, accountId: account.accountId, sourceLabel: account.sourceLabel });
    expect((await api.delete(`${base}/${created.body.token}`)).body).toEqual({ success: true });
  });
});

test('developers see only their own tokens, accounts and sources', async ({ api, newDeveloper }, testInfo) => {
  const server = testServer(testInfo.project.name);
  const other = await newDeveloper('Someone Else');
  const token = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com' } })).body.token;
  const account = await redeemToken(server, token, { email: `mine-${Date.now()}@example.com` });
  const label = encodeURIComponent(account.sourceLabel);

  for (const path of [
    `/2.0/connect_tokens/${token}`,
    `/2.0/accounts/${account.accountId}`,
    `/2.0/accounts/${account.accountId}/sources`,
    `/2.0/accounts/${account.accountId}/sources/${label}`,
    `/2.0/accounts/${account.accountId}/connect_tokens`,
  ]) {
    const response = await other.get(path);
    expect(response.status, path).toBe(404);
    expect(response.body.type).toBe('error');
  }
  expect((await other.delete(`/2.0/connect_tokens/${token}`)).status).toBe(404);
  expect((await other.delete(`/2.0/accounts/${account.accountId}`)).status).toBe(404);
  expect((await other.post(`/2.0/accounts/${account.accountId}`, { form: { first_name: 'Mallory' } })).status).toBe(
    404,
  );
  expect((await other.get('/2.0/connect_tokens')).body.map((item: { token: string }) => item.token)).not.toContain(
    token,
  );
  expect((await other.get('/2.0/accounts')).body.map((item: { id: string }) => item.id)).not.toContain(
    account.accountId,
  );
  // Still there for its owner.
  expect((await api.get(`/2.0/connect_tokens/${token}`)).status).toBe(200);
  expect((await api.get(`/2.0/accounts/${account.accountId}`)).body.first_name).not.toBe('Mallory');
});
