import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { redeemOntoDovecot } from '../fixtures/admin';
import { type ContextIoClient, expect, test } from '../fixtures/api';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { buildMessage, CONTENT, contentMessages, largeAttachment } from '../fixtures/mailbox';
import { testServer } from '../fixtures/servers';

/**
 * Message content over signed HTTP (spec §16): bodies, headers, sources, flags,
 * folders, threads and attachment downloads, read live from a real Dovecot, on
 * the PGlite app and the PostgreSQL app; every response checked against its contract.
 */

const PASSWORD = 'e2e-content-password';
let dovecot: DovecotServer;

test.beforeAll(async () => {
  dovecot = await startDovecot();
  const names = ['pglite', 'postgres'];
  for (const name of names) await dovecot.addUser(`content-${name}@mailport.test`, PASSWORD);
  for (const name of names) await dovecot.appendMessages(`content-${name}@mailport.test`, 'INBOX', contentMessages());
});
test.afterAll(async () => {
  await dovecot?.stop();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  await expect.poll(async () => done(await read()), { message: what, timeout: 90_000, intervals: [300] }).toBe(true);
  return read();
}

/** Connects the project's Dovecot user through a token and waits for the initial sync. */
async function connectAndSync(api: ContextIoClient, projectName: string, mailbox: { port: number; username: string }) {
  const token = (
    await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com', source_sync_flags: '1' } })
  ).body.token as string;
  const redeemed = await redeemOntoDovecot(testServer(projectName), token, mailbox, {
    username: mailbox.username,
    password: PASSWORD,
  });
  const accountPath = `/2.0/accounts/${redeemed.accountId}`;
  const sourcePath = `${accountPath}/sources/${encodeURIComponent(redeemed.sourceLabel)}`;
  await until(
    async () => (await api.get(sourcePath)).body.sync_status?.state,
    (state) => state === 'done',
    'the sync',
  );
  return { accountId: redeemed.accountId as string, accountPath };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('message content reads live from the mailbox in Context.IO shapes', async ({ api, newDeveloper }, testInfo) => {
  test.setTimeout(180_000);
  const username = `content-${testServer(testInfo.project.name).name}@mailport.test`;
  const { accountId, accountPath } = await connectAndSync(api, testInfo.project.name, { port: dovecot.port, username });
  const messages = (await api.get(`${accountPath}/messages`, { query: { limit: '100' } })).body as any[];
  const idOf = (emailMessageId: string) =>
    messages.find((message) => message.email_message_id === emailMessageId)?.message_id as string;
  const messagePath = (emailMessageId: string) => `${accountPath}/messages/${idOf(emailMessageId)}`;

  // Bodies: every part, one type, non-UTF-8 charsets, nested parts.
  const alternative = await api.get(`${messagePath(CONTENT.alternative.messageId)}/body`);
  expect(alternative.status).toBe(200);
  expect(alternative.body).toEqual([
    { type: 'text/plain', charset: 'utf-8', content: CONTENT.alternative.plain, body_section: '1' },
    { type: 'text/html', charset: 'utf-8', content: CONTENT.alternative.html, body_section: '2' },
  ]);
  const htmlOnly = await api.get(`${messagePath(CONTENT.alternative.messageId)}/body/`, {
    query: { type: 'text/html' },
  });
  expect(htmlOnly.body.map((part: any) => part.type)).toEqual(['text/html']);
  expect((await api.get(`${messagePath(CONTENT.latin1.messageId)}/body`)).body[0].content.trim()).toBe(
    CONTENT.latin1.text,
  );
  const shiftJis = await api.get(`${messagePath(CONTENT.shiftJis.messageId)}/body`);
  expect(shiftJis.body[0]).toMatchObject({ charset: 'Shift_JIS' });
  expect(shiftJis.body[0].content.trim()).toBe(CONTENT.shiftJis.text);
  const nested = await api.get(`${messagePath(CONTENT.nested.messageId)}/body`);
  expect(nested.body.map((part: any) => part.body_section)).toEqual(['1.1', '1.2']);
  expect(nested.text).not.toContain(CONTENT.nested.attachedText);
  expect(
    (await api.get(`${messagePath(CONTENT.alternative.messageId)}/body`, { query: { type: 'text/rtf' } })).status,
  ).toBe(400);

  // Many body reads in flight at once share the source's small pool: all answer, each with its own message.
  const burst = messages.filter((message) => message.email_message_id !== CONTENT.large.messageId);
  const answers = await Promise.all(
    [...burst, ...burst].map((message) => api.get(`${accountPath}/messages/${message.message_id}/body`)),
  );
  expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 200));
  const latin1Answers = answers.filter(
    (_, i) => [...burst, ...burst][i]?.email_message_id === CONTENT.latin1.messageId,
  );
  expect(latin1Answers.map((answer) => answer.body[0].content.trim())).toEqual([
    CONTENT.latin1.text,
    CONTENT.latin1.text,
  ]);

  // The same through the message and the list, with headers.
  const withContent = await api.get(messagePath(CONTENT.latin1.messageId), {
    query: { include_body: '1', body_type: 'text/plain', include_headers: 'raw' },
  });
  expect(withContent.body.body[0].content.trim()).toBe(CONTENT.latin1.text);
  expect(withContent.body.headers).toContain(`Message-ID: ${CONTENT.latin1.messageId}\r\n`);
  const list = await api.get(`${accountPath}/messages`, {
    query: { include_body: '1', include_headers: '1', subject: 'Latin-1' },
  });
  expect(list.body[0].headers['message-id']).toEqual([CONTENT.latin1.messageId]);
  expect(list.body[0].body).toHaveLength(1);
  expect((await api.get(`${accountPath}/messages`, { query: { limit: '1' } })).body[0].body).toBeUndefined();

  // Headers and the source.
  const headers = await api.get(`${messagePath(CONTENT.latin1.messageId)}/headers`);
  expect(headers.body.from).toEqual(['Dan <dan@example.org>']);
  const raw = await api.get(`${messagePath(CONTENT.latin1.messageId)}/headers`, { query: { raw: '1' } });
  expect(typeof raw.body).toBe('string');
  expect(raw.body).toMatch(/^From: Dan/);
  const source = await api.get(`${messagePath(CONTENT.latin1.messageId)}/source`);
  expect(source.contentType).toBe('message/rfc822');
  expect(source.bytes.toString('latin1')).toBe(contentMessages()[2]?.rfc822);

  // Message ids in every accepted form.
  for (const form of [
    encodeURIComponent(CONTENT.latin1.messageId),
    encodeURIComponent(CONTENT.latin1.messageId.slice(1, -1)),
  ]) {
    const byHeader = await api.get(`${accountPath}/messages/${form}`);
    expect(byHeader.status, form).toBe(200);
    expect(byHeader.body.message_id).toBe(idOf(CONTENT.latin1.messageId));
    expect((await api.get(`${accountPath}/messages/${form}/body`)).body[0].content.trim()).toBe(CONTENT.latin1.text);
  }
  expect((await api.get(`${accountPath}/messages/${encodeURIComponent('<nobody@content.test>')}/body`)).status).toBe(
    404,
  );
  expect((await api.get(`${accountPath}/messages/gm-12345/flags`)).status).toBe(404);

  // Flags: set through the API, seen by another IMAP client, and read back live.
  const flagsPath = `${messagePath(CONTENT.alternative.messageId)}/flags`;
  expect((await api.get(flagsPath)).body).toEqual({
    seen: false,
    answered: false,
    flagged: false,
    deleted: false,
    draft: false,
  });
  const set = await api.post(flagsPath, { form: { seen: '1', flagged: 'true' } });
  expect(set.body).toEqual({
    success: true,
    flags: { seen: true, answered: false, flagged: true, deleted: false, draft: false },
  });
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    auth: { user: username, pass: PASSWORD },
    logger: false,
  });
  await client.connect();
  try {
    await client.mailboxOpen('INBOX');
    const uids = await client.search({ header: { 'message-id': CONTENT.alternative.messageId } }, { uid: true });
    const elsewhere = await client.fetchOne(String(uids ? uids[0] : 0), { flags: true }, { uid: true });
    expect([...(elsewhere ? (elsewhere.flags ?? []) : [])].sort()).toEqual(['\\Flagged', '\\Seen']);
    await client.messageFlagsAdd(String(uids ? uids[0] : 0), ['\\Answered'], { uid: true });
  } finally {
    await client.logout();
  }
  expect((await api.get(flagsPath)).body).toMatchObject({ seen: true, answered: true, flagged: true });
  const synced = await api.get(messagePath(CONTENT.alternative.messageId), { query: { include_flags: '1' } });
  expect(synced.body.flags.sort()).toEqual(['\\Flagged', '\\Seen']);
  const none = await api.post(flagsPath, { form: {} });
  expect(none.status).toBe(400);
  expect(none.body.value).toContain('at least one of seen');
  expect((await api.post(flagsPath, { json: { seen: 'maybe' } })).status).toBe(400);

  // Folders, thread, threads.
  expect((await api.get(`${messagePath(CONTENT.latin1.messageId)}/folders`)).body).toEqual([
    { name: 'INBOX', symbolic_name: '\\Inbox' },
  ]);
  const thread = await api.get(`${messagePath('<t2@content.test>')}/thread`);
  expect(thread.body.email_message_ids).toEqual(Array.from({ length: 6 }, (_, i) => `<t${i}@content.test>`));
  expect(thread.body.messages.map((message: any) => message.subject)).toEqual([
    CONTENT.thread.subject,
    ...Array.from({ length: 5 }, () => `Re: ${CONTENT.thread.subject}`),
  ]);
  const threads = await api.get(`${accountPath}/threads`, { query: { limit: '100' } });
  expect(threads.body).toHaveLength(6);
  const threadId = thread.body.messages[0].thread_id;
  expect(threads.body[0]).toBe(`${api.baseUrl}${accountPath}/threads/${threadId}`);
  expect((await api.get(threads.body[0].replace(api.baseUrl, ''))).body).toEqual(thread.body);
  expect((await api.get(`${accountPath}/threads/${'0'.repeat(16)}`)).status).toBe(404);
  expect((await api.get(`${accountPath}/threads/nonsense`)).status).toBe(404);
  expect((await api.get(`${accountPath}/threads`, { query: { limit: '0' } })).status).toBe(400);

  // Files: an 8 MiB attachment streamed with its type and name, a nested PDF, related files.
  const large = await api.get(`${accountPath}/files`, { query: { file_name: CONTENT.large.fileName } });
  const download = await api.get(`${accountPath}/files/${large.body[0].file_id}/content`);
  expect(download.status).toBe(200);
  expect(download.contentType).toBe('application/octet-stream');
  expect(download.headers.get('content-disposition')).toContain(`filename="${CONTENT.large.fileName}"`);
  expect(download.bytes.length).toBe(CONTENT.large.bytes);
  expect(sha256(download.bytes)).toBe(sha256(largeAttachment()));
  const pdf = (await api.get(`${accountPath}/files`, { query: { file_name: CONTENT.nested.pdfName } })).body[0];
  const pdfBytes = await api.get(`${accountPath}/files/${pdf.file_id}/content`);
  expect(pdfBytes.contentType).toBe('application/pdf');
  expect(sha256(pdfBytes.bytes)).toBe(sha256(CONTENT.nested.pdf));
  expect((await api.get(`${accountPath}/files/${pdf.file_id}/related`)).body).toEqual([]);

  // A message expunged on the server since the sync: a clear 404, never a 500.
  const gone = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    auth: { user: username, pass: PASSWORD },
    logger: false,
  });
  await gone.connect();
  try {
    await gone.mailboxOpen('INBOX');
    const uids = await gone.search({ header: { 'message-id': CONTENT.shiftJis.messageId } }, { uid: true });
    await gone.messageDelete(String(uids ? uids[0] : 0), { uid: true });
  } finally {
    await gone.logout();
  }
  // The body was read (and cached) above: /source asks the server, learns the message is gone and evicts it.
  for (const suffix of ['/source', '/flags', '/body', '/headers']) {
    const response = await api.get(`${messagePath(CONTENT.shiftJis.messageId)}${suffix}`);
    expect(response.status, suffix).toBe(404);
    expect(response.body.value).toContain('no longer on the mail server');
  }

  // Another developer reaches none of it.
  const other = await newDeveloper();
  const id = idOf(CONTENT.latin1.messageId);
  for (const path of [
    `${accountPath}/messages/${id}/body`,
    `${accountPath}/messages/${id}/headers`,
    `${accountPath}/messages/${id}/source`,
    `${accountPath}/messages/${id}/flags`,
    `${accountPath}/messages/${id}/folders`,
    `${accountPath}/messages/${id}/thread`,
    `${accountPath}/threads`,
    `${accountPath}/threads/${threadId}`,
    `${accountPath}/files/${pdf.file_id}/content`,
    `${accountPath}/files/${pdf.file_id}/related`,
  ]) {
    const response = await other.get(path);
    expect(response.status, path).toBe(404);
    expect(response.body.value).toBe(`account ${accountId} is invalid`);
  }
  expect((await other.post(`${accountPath}/messages/${id}/flags`, { form: { seen: '1' } })).status).toBe(404);
});

test('a mail server that is down answers 503 in the error format, promptly', async ({ api }, testInfo) => {
  test.setTimeout(120_000);
  const own = await startDovecot();
  const username = `down-${testInfo.project.name}@mailport.test`;
  try {
    await own.addUser(username, PASSWORD);
    await own.appendMessage(
      username,
      'INBOX',
      buildMessage({
        messageId: '<down@content.test>',
        from: 'A <a@example.org>',
        to: username,
        subject: 'Soon unreachable',
        date: new Date(),
        text: 'x',
      }),
    );
    const { accountPath } = await connectAndSync(api, testInfo.project.name, { port: own.port, username });
    await own.stop();
    const started = Date.now();
    const response = await api.get(`${accountPath}/messages/${encodeURIComponent('<down@content.test>')}/body`);
    expect(response.status).toBe(503);
    expect(response.body.value).toContain('could not be reached');
    expect(response.text).not.toContain(PASSWORD);
    expect(Date.now() - started).toBeLessThan(20_000);
  } finally {
    await own.stop();
  }
});
