import { createHash } from 'node:crypto';
import { redeemOntoDovecot } from '../fixtures/admin';
import { type ApiResponse, type ContextIoClient, expect, test } from '../fixtures/api';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import { buildMessage } from '../fixtures/mailbox';
import { testServer, testServers } from '../fixtures/servers';

/**
 * The message-content calls of the two official clients, each request as the
 * client builds it (path spelling, Message-ID encoding, parameter names and
 * values, body encoding), over signed HTTP, and each answer read the way that
 * client reads it. Sources read (not copied): contextio/PHP-ContextIO
 * src/ContextIO/ContextIO.php + ContextIORequest.php + ContextIOResponse.php, and
 * seanRoshan/ContextIO-node lib/2.0.js + lib/call-service.js.
 *
 * PHP: no trailing slash; a Message-ID goes through rawurlencode(); GET
 * parameters are signed query parameters; every other POST is multipart (curl
 * with an array: unsigned body), values 1/0; getData() decodes only when
 * Content-Type is exactly application/json.
 * Node: every path ends in `/`; ids go through encodeURIComponent(); GET params
 * are `qs` (booleans as true/false); POST/PUT bodies are form-urlencoded and
 * signed; get() JSON.parses, getRaw() keeps the text, getFile() keeps the bytes
 * and takes the file name between Content-Disposition's first and second `=`.
 */

const PASSWORD = 'e2e-official-clients-password';
// Characters RFC 5322 allows in a Message-ID that the two clients encode differently
// (rawurlencode escapes ! * ' and encodeURIComponent does not), plus / + = that Gmail-style ids carry.
const ROOT_ID = "<CA+mp=Xk/9!*'~_{x}@mail.example.com>";
const REPLY_ID = '<reply.1@mail.example.com>';
const PDF = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7 + 3) % 256));
const PDF_NAME = 'q3-report.pdf';

let dovecot: DovecotServer;

/** The mailbox of one client's test on one server (projects are `api-pglite`, `api-postgres`). */
const mailboxOf = (client: 'php' | 'node', serverName: string) => `${client}-${serverName}@mailport.test`;

test.beforeAll(async () => {
  dovecot = await startDovecot();
  const usernames = (['php', 'node'] as const).flatMap((client) =>
    testServers.map((server) => mailboxOf(client, server.name)),
  );
  // Every user first: Dovecot may not see a passwd-file written again within the same second.
  for (const username of usernames) await dovecot.addUser(username, PASSWORD);
  for (const username of usernames) {
    await dovecot.appendMessages(username, 'INBOX', [
      {
        rfc822: buildMessage({
          messageId: ROOT_ID,
          from: 'Ann <ann@example.org>',
          to: username,
          subject: 'Quarterly numbers',
          date: new Date('2024-03-01T10:00:00Z'),
          text: 'The numbers are attached.',
          parts: [{ type: 'application/pdf', fileName: PDF_NAME, disposition: 'attachment', bytes: PDF }],
        }),
      },
      {
        rfc822: buildMessage({
          messageId: REPLY_ID,
          from: `Me <${username}>`,
          to: 'Ann <ann@example.org>',
          subject: 'Re: Quarterly numbers',
          date: new Date('2024-03-01T11:00:00Z'),
          inReplyTo: ROOT_ID,
          references: [ROOT_ID],
          text: 'Thanks, got them.',
        }),
      },
    ]);
  }
});
test.afterAll(async () => {
  await dovecot?.stop();
});

/** Connects the mailbox through a connect token and waits for its initial sync. */
async function connectAndSync(api: ContextIoClient, projectName: string, username: string) {
  const token = (
    await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://p.example.com', source_sync_flags: '1' } })
  ).body.token as string;
  const redeemed = await redeemOntoDovecot(testServer(projectName), token, dovecot, { username, password: PASSWORD });
  const accountPath = `/2.0/accounts/${redeemed.accountId}`;
  const sourcePath = `${accountPath}/sources/${encodeURIComponent(redeemed.sourceLabel)}`;
  await expect
    .poll(async () => (await api.get(sourcePath)).body.sync_status?.state, { timeout: 90_000, intervals: [300] })
    .toBe('done');
  return { accountId: redeemed.accountId as string, accountPath };
}

/** PHP's rawurlencode(): RFC 3986, so also ! * ' ( ) escaped. */
const rawurlencode = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** ContextIOResponse::getData(): JSON only for exactly `application/json`, else null. */
function phpGetData(response: ApiResponse): unknown {
  expect(response.status, response.text).toBeGreaterThanOrEqual(200);
  expect(response.status, response.text).toBeLessThan(400);
  return response.contentType === 'application/json' ? JSON.parse(response.text) : null;
}

/** call-service.js get()/post()/put(): request-promise rejects a non-2xx, then JSON.parse(body). */
function nodeJson(response: ApiResponse): any {
  expect(response.status, response.text).toBeGreaterThanOrEqual(200);
  expect(response.status, response.text).toBeLessThan(300);
  return JSON.parse(response.text);
}

/** The Context.IO error answer a client sees for a call Mailport does not serve. */
function expectClearError(response: ApiResponse, status: number, value: RegExp) {
  expect(response.status, response.text).toBe(status);
  expect(response.contentType).toBe('application/json');
  expect(response.body).toEqual({ type: 'error', value: expect.stringMatching(value) });
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

test('the official PHP client’s message-content calls', async ({ api }, testInfo) => {
  test.setTimeout(180_000);
  const username = mailboxOf('php', testServer(testInfo.project.name).name);
  const { accountPath } = await connectAndSync(api, testInfo.project.name, username);
  // ContextIO::listMessages($account, ['subject' => 'Quarterly'])
  const listed = phpGetData(await api.get(`${accountPath}/messages`, { query: { subject: 'Quarterly' } })) as any[];
  const root = listed.find((message) => message.email_message_id === ROOT_ID);
  expect(root).toBeDefined();
  const byHeader = `${accountPath}/messages/${rawurlencode(ROOT_ID)}`;
  const byId = `${accountPath}/messages/${root.message_id}`;

  // ContextIO::getMessage($account, ['email_message_id' => …, 'include_body' => 1, 'include_headers' => 1,
  // 'body_type' => 'text/plain']): every filtered param, email_message_id included, goes in the query.
  const message = phpGetData(
    await api.get(byHeader, {
      query: { body_type: 'text/plain', email_message_id: ROOT_ID, include_body: '1', include_headers: '1' },
    }),
  ) as any;
  expect(message.message_id).toBe(root.message_id);
  expect(message.body).toEqual([expect.objectContaining({ type: 'text/plain', content: 'The numbers are attached.' })]);
  expect(message.headers['message-id']).toEqual([ROOT_ID]);
  // ContextIO::getMessage($account, $messageIdString): the string form, rawurlencoded, no params.
  expect((phpGetData(await api.get(byHeader)) as any).subject).toBe('Quarterly numbers');

  // ContextIO::getMessageBody($account, ['email_message_id' => …, 'type' => 'text/plain']): only `type` is sent.
  const body = phpGetData(await api.get(`${byHeader}/body`, { query: { type: 'text/plain' } })) as any[];
  expect(body).toEqual([
    { type: 'text/plain', charset: 'utf-8', content: 'The numbers are attached.', body_section: '1' },
  ]);
  // ContextIO::getMessageBody($account, ['message_id' => …]): our id, no `type`.
  expect(phpGetData(await api.get(`${byId}/body`))).toEqual(body);

  // ContextIO::getMessageHeaders($account, ['email_message_id' => …]) and with 'raw' => 1.
  const headers = phpGetData(await api.get(`${byHeader}/headers`)) as Record<string, string[]>;
  expect(headers.subject).toEqual(['Quarterly numbers']);
  const rawHeaders = phpGetData(await api.get(`${byHeader}/headers`, { query: { raw: '1' } }));
  expect(rawHeaders).toEqual(expect.stringContaining(`Message-ID: ${ROOT_ID}\r\n`));

  // ContextIO::getMessageSource($account, ['email_message_id' => …]): the caller reads getRawResponse().
  const source = await api.get(`${byHeader}/source`);
  expect(source.status).toBe(200);
  expect(source.contentType).toBe('message/rfc822');
  expect(source.text).toContain(`Message-ID: ${ROOT_ID}\r\n`);
  expect(source.text).toContain('The numbers are attached.');

  // ContextIO::getMessageFlags($account, ['message_id' => …]).
  expect(phpGetData(await api.get(`${byId}/flags`))).toEqual({
    seen: false,
    answered: false,
    flagged: false,
    deleted: false,
    draft: false,
  });
  // ContextIO::setMessageFlags($account, ['email_message_id' => …, 'seen' => true, 'flagged' => true,
  // 'draft' => false]): booleans become 1/0, POSTed as curl's array → multipart/form-data, body unsigned.
  const setFlags = phpGetData(
    await api.post(`${byHeader}/flags`, { multipart: { seen: '1', flagged: '1', draft: '0' } }),
  ) as any;
  expect(setFlags).toEqual({
    success: true,
    flags: { seen: true, answered: false, flagged: true, deleted: false, draft: false },
  });
  // …then 'seen' => false alone.
  expect((phpGetData(await api.post(`${byHeader}/flags`, { multipart: { seen: '0' } })) as any).flags).toMatchObject({
    seen: false,
    flagged: true,
  });

  // ContextIO::getMessageFolders($account, $emailMessageIdString).
  expect(phpGetData(await api.get(`${byHeader}/folders`))).toEqual([{ name: 'INBOX', symbolic_name: '\\Inbox' }]);
  // ContextIO::setMessageFolders: POST add[]/remove[] form-urlencoded (signed), or PUT a JSON folder list.
  // Changing folders is not part of Mailport's API (spec §16): a clear 405, never a 500.
  expectClearError(
    await api.post(`${byHeader}/folders`, { form: [['add[]', 'Archive']] }),
    405,
    /not (allowed|supported)/i,
  );
  expectClearError(
    await api.request('PUT', `${byId}/folders`, { json: [{ name: 'INBOX' }] }),
    405,
    /not (allowed|supported)/i,
  );

  // ContextIO::getMessageThread($account, ['email_message_id' => …, 'include_body' => 1, 'limit' => 10]):
  // the whole filtered array is the query, the id included.
  const thread = phpGetData(
    await api.get(`${byHeader}/thread`, {
      query: { email_message_id: ROOT_ID, include_body: '1', include_flags: '1', limit: '10' },
    }),
  ) as any;
  expect(thread.email_message_ids).toEqual([ROOT_ID, REPLY_ID]);
  expect(thread.messages.map((entry: any) => entry.body?.[0]?.content.trim())).toEqual([
    'The numbers are attached.',
    'Thanks, got them.',
  ]);
  expect(thread.messages[0].flags).toEqual(expect.any(Array));
  // ContextIO::getThread($account, ['message_id' => …, 'include_headers' => 1]) goes to the same …/thread.
  const viaGetThread = phpGetData(
    await api.get(`${byId}/thread`, { query: { include_headers: '1', message_id: root.message_id } }),
  ) as any;
  expect(viaGetThread.messages[1].headers['in-reply-to']).toEqual([ROOT_ID]);
  expect(viaGetThread.messages[0].body).toBeUndefined();
  // ContextIO::listThreads($account, ['limit' => 10]).
  const threads = phpGetData(await api.get(`${accountPath}/threads`, { query: { limit: '10' } })) as string[];
  expect(threads).toEqual([`${api.baseUrl}${accountPath}/threads/${thread.messages[0].thread_id}`]);

  // ContextIO::listFiles($account, ['file_name' => …]) then ContextIO::getFileContent($account, $fileId):
  // the caller reads getRawResponse().
  const file = (phpGetData(await api.get(`${accountPath}/files`, { query: { file_name: PDF_NAME } })) as any[])[0];
  const content = await api.get(`${accountPath}/files/${file.file_id}/content`);
  expect(content.status).toBe(200);
  expect(content.contentType).toBe('application/pdf');
  expect(sha256(content.bytes)).toBe(sha256(PDF));
  // ContextIO::getFileURL($account, $fileId): as_link=1, expecting text/uri-list. No such links here:
  // a clear 400 (getFileURL returns false, getLastResponse() says why) rather than bytes.
  expectClearError(
    await api.get(`${accountPath}/files/${file.file_id}/content`, { query: { as_link: '1' } }),
    400,
    /as_link/,
  );
});

test('the official Node client’s message-content calls', async ({ api }, testInfo) => {
  test.setTimeout(180_000);
  const username = mailboxOf('node', testServer(testInfo.project.name).name);
  const { accountId } = await connectAndSync(api, testInfo.project.name, username);
  // accounts(id) → `accounts/${encodeURIComponent(id)}/`, messages(mid) → `messages/${encodeURIComponent(mid)}/`.
  const account = `/2.0/accounts/${encodeURIComponent(accountId)}/`;
  const message = `${account}messages/${encodeURIComponent(ROOT_ID)}/`;

  // accounts(id).messages().get({ subject: 'Quarterly' })
  const listed = nodeJson(await api.get(`${account}messages/`, { query: { subject: 'Quarterly' } }));
  const root = listed.find((entry: any) => entry.email_message_id === ROOT_ID);
  const messageById = `${account}messages/${encodeURIComponent(root.message_id)}/`;

  // accounts(id).messages(mid).get({ include_body: true, include_flags: 1, body_type: 'text/plain' }):
  // `qs` sends a boolean as "true".
  const read = nodeJson(
    await api.get(message, { query: { include_body: 'true', include_flags: '1', body_type: 'text/plain' } }),
  );
  expect(read.message_id).toBe(root.message_id);
  expect(read.body).toEqual([expect.objectContaining({ content: 'The numbers are attached.' })]);
  expect(read.flags).toEqual([]);

  // accounts(id).messages(mid).body().get() and .get({ type: 'text/plain' })
  const body = nodeJson(await api.get(`${message}body/`));
  expect(body).toEqual([
    { type: 'text/plain', charset: 'utf-8', content: 'The numbers are attached.', body_section: '1' },
  ]);
  expect(nodeJson(await api.get(`${message}body/`, { query: { type: 'text/plain' } }))).toEqual(body);

  // accounts(id).messages(mid).headers().get() → get(); .get({ raw: 1 }) → getRaw(), the text as sent.
  expect(nodeJson(await api.get(`${message}headers/`))['message-id']).toEqual([ROOT_ID]);
  const rawHeaders = await api.get(`${message}headers/`, { query: { raw: '1' } });
  expect(rawHeaders.status).toBe(200);
  // Mailport answers raw=1 as a JSON string, so getRaw() hands a Node caller a quoted, escaped string.
  expect(JSON.parse(rawHeaders.text)).toContain(`Message-ID: ${ROOT_ID}\r\n`);

  // accounts(id).messages(mid).source().get() → getRaw(): the message as text.
  const source = await api.get(`${message}source/`);
  expect(source.status).toBe(200);
  expect(source.text).toContain(`Message-ID: ${ROOT_ID}\r\n`);

  // accounts(id).messages(mid).flags().get() / .post({ seen: true, flagged: 1 }): a signed form body.
  expect(nodeJson(await api.get(`${message}flags/`)).seen).toBe(false);
  expect(nodeJson(await api.post(`${message}flags/`, { form: { seen: 'true', flagged: '1' } }))).toEqual({
    success: true,
    flags: { seen: true, answered: false, flagged: true, deleted: false, draft: false },
  });
  expect(nodeJson(await api.post(`${messageById}flags/`, { form: { flagged: 'false' } })).flags).toMatchObject({
    seen: true,
    flagged: false,
  });
  expect(nodeJson(await api.get(`${messageById}flags/`))).toMatchObject({ seen: true, flagged: false });

  // accounts(id).messages(mid).folders().get(); .post({ add }) / .put({ … }) change folders: not served (405).
  expect(nodeJson(await api.get(`${message}folders/`))).toEqual([{ name: 'INBOX', symbolic_name: '\\Inbox' }]);
  expectClearError(await api.post(`${message}folders/`, { form: { add: 'Archive' } }), 405, /not (allowed|supported)/i);
  expectClearError(
    await api.request('PUT', `${message}folders/`, { form: { 'folders[0][name]': 'INBOX' } }),
    405,
    /not (allowed|supported)/i,
  );

  // accounts(id).messages(mid).thread().get({ include_body: 1 })
  const thread = nodeJson(await api.get(`${message}thread/`, { query: { include_body: '1' } }));
  expect(thread.email_message_ids).toEqual([ROOT_ID, REPLY_ID]);
  expect(thread.messages[1].body[0].content.trim()).toBe('Thanks, got them.');
  // accounts(id).threads().get({ limit: 10 }), then resource(url).get() on the URL it lists (as given, no slash),
  // and accounts(id).threads(thread_id).get().
  const threads = nodeJson(await api.get(`${account}threads/`, { query: { limit: '10' } }));
  expect(threads).toHaveLength(1);
  const followed = nodeJson(await api.get(threads[0].replace(api.baseUrl, '')));
  expect(followed.email_message_ids).toEqual(thread.email_message_ids);
  const threadId = thread.messages[0].thread_id as string;
  expect(nodeJson(await api.get(`${account}threads/${encodeURIComponent(threadId)}/`)).messages).toHaveLength(2);

  // accounts(id).files().get({ file_name }), then files(fid).content().get() → getFile(): bytes, and the name
  // as res.headers['content-disposition'].split('=')[1].slice(1, -1).
  const file = nodeJson(await api.get(`${account}files/`, { query: { file_name: PDF_NAME } }))[0];
  const download = await api.get(`${account}files/${encodeURIComponent(file.file_id)}/content/`);
  expect(download.status).toBe(200);
  expect(sha256(download.bytes)).toBe(sha256(PDF));
  expect(download.headers.get('content-disposition')?.split('=')[1]?.slice(1, -1)).toBe(PDF_NAME);
  // files(fid).content().get({ as_link: 1 }) → getRaw(): a link Mailport does not make, refused clearly.
  expectClearError(
    await api.get(`${account}files/${encodeURIComponent(file.file_id)}/content/`, { query: { as_link: '1' } }),
    400,
    /as_link/,
  );
  // files(fid).related().get()
  expect(nodeJson(await api.get(`${account}files/${encodeURIComponent(file.file_id)}/related/`))).toEqual([]);
});
