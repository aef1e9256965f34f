import { redeemToken } from '../fixtures/admin';
import { expect, test } from '../fixtures/api';
import { testServer } from '../fixtures/servers';

const ACCOUNT_KEYS = [
  'id',
  'username',
  'created',
  'suspended',
  'email_addresses',
  'first_name',
  'last_name',
  'password_expired',
  'nb_messages',
  'nb_files',
  'sources',
  'resource_url',
];
const SOURCE_KEYS = [
  'label',
  'email',
  'server',
  'username',
  'port',
  'use_ssl',
  'type',
  'authentication_type',
  'status',
  'status_message',
  'callback_url',
  'status_callback_url',
  'sync_flags',
  'sync_all_folders',
  'expunge_on_deleted_flag',
  'raw_file_list',
  'sync_status',
  'resource_url',
];

test('accounts and sources: read, filter, update and delete in Context.IO shapes', async ({ api }, testInfo) => {
  const server = testServer(testInfo.project.name);
  const email = `owner-${Date.now()}@example.com`;
  const token = (
    await api.post('/2.0/connect_tokens', {
      form: {
        callback_url: 'https://p.example.com',
        first_name: 'Olga',
        status_callback_url: 'https://p.example.com/status',
      },
    })
  ).body.token;
  const { accountId, sourceLabel } = await redeemToken(server, token, {
    email,
    server: 'mail.example.org',
    port: 143,
    tlsMode: 'STARTTLS',
  });
  const accountPath = `/2.0/accounts/${accountId}`;
  const sourcePath = `${accountPath}/sources/${encodeURIComponent(sourceLabel)}`;

  const account = await api.get(`${accountPath}/`);
  expect(account.status).toBe(200);
  expect(Object.keys(account.body)).toEqual(ACCOUNT_KEYS);
  expect(account.body).toMatchObject({
    id: accountId,
    email_addresses: [email],
    first_name: 'Olga',
    suspended: 0,
    password_expired: 0,
    resource_url: `${api.baseUrl}${accountPath}`,
  });
  expect(account.body.username).toMatch(/^owner-\d+\.example\.com_[0-9a-f]{16}$/);
  expect(Object.keys(account.body.sources[0])).toEqual(SOURCE_KEYS);
  expect(account.body.sources[0]).toMatchObject({
    label: sourceLabel,
    server: 'mail.example.org',
    port: 143,
    use_ssl: false,
    type: 'imap',
    authentication_type: 'password',
    status: 'OK',
    status_callback_url: 'https://p.example.com/status',
    resource_url: `${api.baseUrl}${sourcePath}`,
  });
  expect(account.text).not.toContain('mailbox-password');

  // Filters: email, status, status_ok, limit/offset.
  const byEmail = await api.get('/2.0/accounts', { query: { email } });
  expect(byEmail.body.map((item: { id: string }) => item.id)).toEqual([accountId]);
  expect((await api.get('/2.0/accounts', { query: { email, status: 'INVALID_CREDENTIALS' } })).body).toEqual([]);
  expect((await api.get('/2.0/accounts', { query: { email, status_ok: '1' } })).body).toHaveLength(1);
  expect((await api.get('/2.0/accounts', { query: { email, status_ok: '0' } })).body).toEqual([]);
  const page = await api.get('/2.0/accounts', { query: { limit: '1', offset: '0' } });
  expect(page.body).toHaveLength(1);
  const tooMany = await api.get('/2.0/accounts', { query: { limit: '101' } });
  expect(tooMany.status).toBe(400);
  expect(tooMany.body.value).toBe('invalid parameter limit: expected a number between 1 and 100');
  expect((await api.get('/2.0/accounts', { query: { offset: '-1' } })).status).toBe(400);
  expect((await api.get('/2.0/accounts', { query: { status: 'BROKEN' } })).status).toBe(400);

  // Update names (multipart, as PHP sends it).
  expect((await api.post(accountPath, { multipart: { last_name: 'Ivanova' } })).body).toEqual({ success: true });
  expect((await api.get(accountPath)).body).toMatchObject({ first_name: 'Olga', last_name: 'Ivanova' });

  // Sources: list, by label (encoded and as 0), update, 503 when a live check cannot reach the server, delete.
  const sources = await api.get(`${accountPath}/sources/`);
  expect(sources.body.map((source: { label: string }) => source.label)).toEqual([sourceLabel]);
  expect((await api.get(`${accountPath}/sources`, { query: { status_ok: '0' } })).body).toEqual([]);
  expect((await api.get(sourcePath)).body.label).toBe(sourceLabel);
  expect((await api.get(`${accountPath}/sources/0`)).body.label).toBe(sourceLabel);
  expect((await api.get(`${accountPath}/sources/nope`)).status).toBe(404);

  const updated = await api.post(sourcePath, {
    form: { sync_all_folders: '1', expunge_on_deleted_flag: 'true', password: 'new-secret', status: '1' },
  });
  expect(updated.body).toEqual({ success: true });
  const afterUpdate = await api.get(sourcePath);
  expect(afterUpdate.body).toMatchObject({ sync_all_folders: true, expunge_on_deleted_flag: true, status: 'OK' });
  expect(afterUpdate.text).not.toContain('new-secret');
  expect((await api.post(sourcePath, { form: { status_callback_url: 'javascript:x' } })).status).toBe(400);
  const live = await api.post(sourcePath, { form: { force_status_check: '1' } });
  expect(live.status).toBe(503);
  expect(live.body.type).toBe('error');

  expect((await api.delete(sourcePath)).body).toEqual({ success: true });
  expect((await api.get(sourcePath)).status).toBe(404);
  expect((await api.get(accountPath)).body).toMatchObject({ sources: [], email_addresses: [] });

  expect((await api.delete(`${accountPath}/`)).body).toEqual({ success: true });
  const gone = await api.get(accountPath);
  expect(gone.status).toBe(404);
  expect(gone.body).toEqual({ type: 'error', value: `account ${accountId} is invalid` });
  // The token that created it still answers, with an empty account.
  expect((await api.get(`/2.0/connect_tokens/${token}`)).body.account).toEqual({});
});
