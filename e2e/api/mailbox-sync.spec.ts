import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { redeemOntoDovecot } from '../fixtures/admin';
import { type ContextIoClient, expect, test } from '../fixtures/api';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { PREPARED, prepareMailbox } from '../fixtures/mailbox';
import { testServer, testServers } from '../fixtures/servers';

/**
 * A connected mailbox syncs by itself (in the app on PGlite, in `npm run
 * worker` on PostgreSQL), the partner is called back, and the read API shows
 * folders, messages and files over signed HTTP.
 */

const PASSWORD = 'e2e-sync-password';
let dovecot: DovecotServer;
let receiver: Server;
let receiverUrl: string;
const callbacks: { path: string; body: Record<string, any> }[] = [];

test.beforeAll(async () => {
  dovecot = await startDovecot();
  const names = testServers.map((server) => server.name);
  // Users first: Dovecot may not notice a passwd file changed twice within one second.
  for (const name of names) await dovecot.addUser(`sync-${name}@mailport.test`, PASSWORD);
  for (const name of names) await prepareMailbox(dovecot, `sync-${name}@mailport.test`);
  receiver = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => {
      text += chunk.toString();
    });
    request.on('end', () => {
      callbacks.push({ path: request.url ?? '', body: JSON.parse(text || '{}') });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
});
test.afterAll(async () => {
  receiver?.closeAllConnections();
  await new Promise((resolve) => receiver?.close(resolve));
  await dovecot?.stop();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

async function connectMailbox(api: ContextIoClient, projectName: string, form: Record<string, string>) {
  const token = (await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com', ...form } }))
    .body.token as string;
  const username = `sync-${testServer(projectName).name}@mailport.test`;
  const redeemed = await redeemOntoDovecot(testServer(projectName), token, dovecot, { username, password: PASSWORD });
  const accountPath = `/2.0/accounts/${redeemed.accountId}`;
  return {
    token,
    accountId: redeemed.accountId as string,
    accountPath,
    sourcePath: `${accountPath}/sources/${encodeURIComponent(redeemed.sourceLabel)}`,
  };
}

test('a connected mailbox syncs by itself, calls back, and reads in Context.IO shapes', async ({
  api,
  newDeveloper,
}, testInfo) => {
  test.setTimeout(120_000);
  const callbackPath = `/synced-${testInfo.project.name}-${Date.now()}`;
  const { token, accountId, accountPath, sourcePath } = await connectMailbox(api, testInfo.project.name, {
    source_callback_url: `${receiverUrl}${callbackPath}`,
    source_sync_flags: '1',
  });

  const source = await until(
    async () => (await api.get(sourcePath)).body,
    (body) => body.sync_status?.state === 'done',
    'the initial sync',
  );
  expect(source.sync_status).toMatchObject({
    initial_sync_finished: true,
    folders_total: 3,
    folders_done: 3,
    messages_synced: 5,
  });

  // The partner hears of it once, signed with its consumer secret.
  const heard = await until(
    async () => callbacks.filter((entry) => entry.path === callbackPath),
    (entries) => entries.length > 0,
    'the callback',
  );
  expect(heard).toHaveLength(1);
  const body = heard[0]!.body;
  expect(body).toMatchObject({
    account_id: accountId,
    connect_token: token,
    event: 'initial_sync_completed',
    status: 'OK',
  });
  const expected = createHmac('sha256', api.credentials.secret).update(`${body.timestamp}${body.token}`).digest('hex');
  expect(body.signature).toBe(expected);

  const account = await api.get(accountPath);
  expect(account.body).toMatchObject({ nb_messages: 5, nb_files: 3 });

  const folders = await api.get(`${sourcePath}/folders`);
  expect(folders.status).toBe(200);
  expect(folders.contentType).toBe('application/json');
  const byName = Object.fromEntries(folders.body.map((folder: any) => [folder.name, folder]));
  expect(Object.keys(byName[PREPARED.defaultFolders[0]]).sort()).toEqual(
    ['attributes', 'delim', 'included_in_sync', 'name', 'nb_messages', 'symbolic_name'].sort(),
  );
  for (const name of PREPARED.defaultFolders) expect(byName[name].included_in_sync).toBe(true);
  for (const name of PREPARED.skippedFolders) expect(byName[name].included_in_sync).toBe(false);

  const sync = await api.get(`${sourcePath}/sync/`);
  expect(Object.keys(sync.body).sort()).toEqual([...PREPARED.defaultFolders].sort());
  expect(sync.body.INBOX).toMatchObject({ initial_import_finished: true, last_expunge: 0 });
  expect(sync.body.INBOX.last_sync_stop).toBeGreaterThanOrEqual(sync.body.INBOX.last_sync_start);

  // Messages: pages, filters, one message.
  const all = await api.get(`${accountPath}/messages`, { query: { include_flags: '1' } });
  expect(all.body.map((message: any) => message.subject)).toEqual([
    'Alpha kickoff',
    'Old news (deleted)',
    'Quarterly report',
    'Re: Welcome',
    'Welcome',
  ]);
  const reply = all.body.find((message: any) => message.subject === 'Re: Welcome');
  expect(reply.flags.sort()).toEqual(['\\Flagged', '\\Seen']);
  expect(reply.addresses.from).toEqual({ email: 'bob@example.org', name: 'Bob' });
  expect(reply.sources[0].resource_url).toContain(sourcePath);
  expect(reply.gmail_thread_id).toBeUndefined();
  expect(reply.thread_id).toBe(all.body.find((message: any) => message.subject === 'Welcome').thread_id);
  const page = await api.get(`${accountPath}/messages/`, { query: { limit: '2', offset: '1' } });
  expect(page.body.map((message: any) => message.subject)).toEqual(['Old news (deleted)', 'Quarterly report']);
  expect(page.body[0].flags).toBeUndefined();
  const filter = async (query: Record<string, string>) =>
    (await api.get(`${accountPath}/messages`, { query })).body.map((message: any) => message.subject);
  expect(await filter({ subject: 'welcome' })).toEqual(['Re: Welcome', 'Welcome']);
  expect(await filter({ from: 'Bob@Example.org' })).toEqual(['Re: Welcome']);
  expect(await filter({ to: 'team@example.org' })).toEqual(['Alpha kickoff']);
  expect(await filter({ folder: 'Projects/Alpha' })).toEqual(['Alpha kickoff']);
  const jan3 = Date.UTC(2026, 0, 3) / 1000;
  expect(await filter({ date_before: String(jan3), date_after: String(jan3 - 86400) })).toEqual(['Re: Welcome']);

  const one = await api.get(reply.resource_url.replace(api.baseUrl, ''));
  expect(one.body).toMatchObject({
    message_id: reply.message_id,
    subject: 'Re: Welcome',
    email_message_id: '<reply@test>',
  });
  expect(one.body.files.map((file: any) => file.file_name)).toEqual(['report.pdf']);

  // Files: list, filter, one.
  const files = await api.get(`${accountPath}/files`);
  expect(files.body.map((file: any) => file.file_name).sort()).toEqual([...PREPARED.defaultFiles].sort());
  const report = (await api.get(`${accountPath}/files`, { query: { file_name: 'REPORT' } })).body;
  expect(report).toHaveLength(1);
  expect(report[0]).toMatchObject({ type: 'application/pdf', message_id: reply.message_id, is_embedded: false });
  const file = await api.get(`${accountPath}/files/${report[0].file_id}`);
  expect(file.body).toEqual(report[0]);
  expect((await api.get(`${accountPath}/files`, { query: { email: 'team@example.org' } })).body).toHaveLength(1);

  // Bad input is a 400 in Context.IO's error shape; unknown ids are 404s.
  const badQueries: Record<string, string>[] = [
    { limit: '0' },
    { limit: '101' },
    { offset: '-1' },
    { date_before: 'yesterday' },
  ];
  for (const query of badQueries) {
    const bad = await api.get(`${accountPath}/messages`, { query });
    expect(bad.status, JSON.stringify(query)).toBe(400);
    expect(bad.body.type).toBe('error');
  }
  expect((await api.get(`${accountPath}/messages/${'0'.repeat(24)}`)).status).toBe(404);
  expect((await api.get(`${accountPath}/messages/not-an-id`)).status).toBe(404);
  expect((await api.get(`${accountPath}/files/${'0'.repeat(24)}`)).body.type).toBe('error');

  // Another developer sees none of it.
  const other = await newDeveloper();
  for (const path of [
    `${accountPath}/messages`,
    `${accountPath}/files`,
    `${sourcePath}/folders`,
    `${sourcePath}/sync`,
  ]) {
    const response = await other.get(path);
    expect(response.status, path).toBe(404);
    expect(response.body.value).toBe(`account ${accountId} is invalid`);
  }
  expect((await other.get(`${accountPath}/messages/${reply.message_id}`)).status).toBe(404);
  expect((await other.post(`${sourcePath}/sync`)).status).toBe(404);

  // A re-sync is queued (202), finds nothing new, and does not call back again.
  const resync = await api.post(`${sourcePath}/sync`);
  expect(resync.status).toBe(202);
  expect(resync.body).toMatchObject({ success: true, resource_url: `${api.baseUrl}${sourcePath}/sync` });
  expect([0, 1]).toContain(resync.body.syncs_queued);
  await until(
    async () => (await api.get(sourcePath)).body.sync_status,
    (status) => status.state === 'done',
    'the re-sync',
  );
  expect((await api.get(accountPath)).body.nb_messages).toBe(5);
  expect(callbacks.filter((entry) => entry.path === callbackPath)).toHaveLength(1);
});

test('force_status_check logs in now; a refused password reaches status_callback_url', async ({ api }, testInfo) => {
  test.setTimeout(90_000);
  const statusPath = `/status-${testInfo.project.name}-${Date.now()}`;
  const { sourcePath } = await connectMailbox(api, testInfo.project.name, {
    status_callback_url: `${receiverUrl}${statusPath}`,
    source_expunge_on_deleted_flag: '1',
  });
  const ok = await api.post(sourcePath, { form: { force_status_check: '1' } });
  expect(ok.body).toEqual({ success: true });
  expect((await api.get(sourcePath)).body.status).toBe('OK');

  const refused = await api.post(sourcePath, { form: { password: 'not the password', force_status_check: '1' } });
  expect(refused.body).toEqual({ success: true });
  const after = (await api.get(sourcePath)).body;
  expect(after.status).toBe('INVALID_CREDENTIALS');
  // Said by the check, or by the sync that may have tried the new password first.
  expect(after.status_message).toMatch(/password/);
  expect(JSON.stringify(after)).not.toContain('not the password');
  const heard = await until(
    async () => callbacks.filter((entry) => entry.path === statusPath),
    (entries) => entries.length > 0,
    'the status callback',
  );
  expect(heard[0]!.body).toMatchObject({ event: 'status_changed', status: 'INVALID_CREDENTIALS' });

  // The right password again: back to OK, and the developer hears that too.
  await api.post(sourcePath, { form: { password: PASSWORD, force_status_check: '1' } });
  expect((await api.get(sourcePath)).body.status).toBe('OK');
  await until(
    async () => callbacks.filter((entry) => entry.path === statusPath),
    (entries) => entries.some((entry) => entry.body.status === 'OK'),
    'the second status callback',
  );
});
