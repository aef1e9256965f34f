/**
 * Message content in `npm run bench` (--filter content), against the built app
 * on each database (embedded: the app syncs the mailbox itself; PostgreSQL: a
 * worker process started beside it, bench/server.ts startWorker):
 *  - GET …/messages/:id/body p50/p99, cold (each message's first read: from
 *    IMAP over the pool) and warm (the same messages again: from the cache);
 *  - an 8 MiB attachment through GET …/files/:id/content, in MiB/s, as a ratio
 *    to a raw imapflow download() of the same part from this process, interleaved.
 */
import { createHash } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { type DovecotServer, startDovecot } from '../e2e/fixtures/dovecot';
import { bulkMessages, CONTENT, contentMessages } from '../e2e/fixtures/mailbox';
import { type BenchContext, call, oauthFor } from './client';
import { signInThroughPages } from './connect';

export interface ContentBenchResult {
  messages: number;
  cold: { p50: number; p99: number };
  warm: { p50: number; p99: number };
  attachment: { mib: number; runs: number; apiMiBps: number; rawMiBps: number; ratio: number };
}

const MAILBOX = { username: 'content-bench@mailport.test', password: 'bench-password' };
const BODY_MESSAGES = 200;
const DOWNLOAD_RUNS = 5;

const percentile = (values: number[], fraction: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
};
const round = (value: number) => Math.round(value * 100) / 100;

/** A signed GET, its body read to the end; resolves with the time taken and the bytes. */
async function timedGet(context: BenchContext, path: string): Promise<{ ms: number; bytes: Buffer }> {
  const oauth = oauthFor(context);
  const url = `${context.baseUrl}${path}`;
  const authorization = oauth.toHeader(oauth.authorize({ url, method: 'GET' })).Authorization;
  const started = performance.now();
  const response = await fetch(url, { headers: { authorization } });
  const bytes = Buffer.from(await response.arrayBuffer());
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${bytes.toString().slice(0, 200)}`);
  return { ms, bytes };
}

async function rawDownload(dovecot: DovecotServer, uid: number, part: string): Promise<{ ms: number; bytes: Buffer }> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: MAILBOX.username, pass: MAILBOX.password },
    logger: false,
    disableAutoIdle: true,
  });
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    // Timed like the API's: from the request to the last byte, the login excluded (the app's pool is logged in).
    const started = performance.now();
    const download = await client.download(String(uid), part, { uid: true });
    if (!download.content) throw new Error(`raw download: part ${part} of UID ${uid} not found`);
    const chunks: Buffer[] = [];
    for await (const chunk of download.content) chunks.push(chunk as Buffer);
    return { ms: performance.now() - started, bytes: Buffer.concat(chunks) };
  } finally {
    await client.logout();
  }
}

export async function benchMessageContent(context: BenchContext): Promise<ContentBenchResult> {
  const dovecot = await startDovecot({ users: [MAILBOX] });
  try {
    await dovecot.appendMessages(MAILBOX.username, 'INBOX', contentMessages());
    await dovecot.appendMessages(MAILBOX.username, 'INBOX', bulkMessages(BODY_MESSAGES, 'content-bench'));
    const { token } = await signInThroughPages(context, dovecot, MAILBOX);
    const accountId = (await call(context, 'GET', `/2.0/connect_tokens/${token}`)).account.id as string;
    const accountPath = `/2.0/accounts/${accountId}`;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const source = await call(context, 'GET', `${accountPath}/sources/0`);
      if (source.sync_status?.state === 'done') break;
      if (Date.now() > deadline) throw new Error(`the sync did not finish: ${JSON.stringify(source.sync_status)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }

    const ids: string[] = [];
    for (let offset = 0; ids.length < BODY_MESSAGES; offset += 100) {
      const page = await call(context, 'GET', `${accountPath}/messages?subject=Message&limit=100&offset=${offset}`);
      if (page.length === 0) break;
      ids.push(...page.map((message: { message_id: string }) => message.message_id));
    }
    // Warm the pool and the JIT on messages outside the measured set.
    const extra = await call(context, 'GET', `${accountPath}/messages?limit=5`);
    for (const message of extra) await timedGet(context, `${accountPath}/messages/${message.message_id}/body`);

    const cold: number[] = [];
    for (const id of ids) cold.push((await timedGet(context, `${accountPath}/messages/${id}/body`)).ms);
    const warm: number[] = [];
    for (const id of ids) warm.push((await timedGet(context, `${accountPath}/messages/${id}/body`)).ms);

    const file = (await call(context, 'GET', `${accountPath}/files?file_name=${CONTENT.large.fileName}`))[0];
    const uid = await largeMessageUid(dovecot);
    const api: number[] = [];
    const raw: number[] = [];
    let expected = '';
    for (let run = 0; run < DOWNLOAD_RUNS + 1; run++) {
      const viaApi = await timedGet(context, `${accountPath}/files/${file.file_id}/content`);
      // The attachment is the second part of the large message (contentMessages()).
      const direct = await rawDownload(dovecot, uid, '2');
      const hash = createHash('sha256').update(viaApi.bytes).digest('hex');
      expected ||= createHash('sha256').update(direct.bytes).digest('hex');
      if (hash !== expected || viaApi.bytes.length !== CONTENT.large.bytes) {
        throw new Error('the API download differs from the raw download');
      }
      if (run === 0) continue; // warm-up
      api.push(viaApi.ms);
      raw.push(direct.ms);
    }
    const mib = CONTENT.large.bytes / (1024 * 1024);
    const apiMiBps = mib / (percentile(api, 0.5) / 1000);
    const rawMiBps = mib / (percentile(raw, 0.5) / 1000);
    return {
      messages: ids.length,
      cold: { p50: round(percentile(cold, 0.5)), p99: round(percentile(cold, 0.99)) },
      warm: { p50: round(percentile(warm, 0.5)), p99: round(percentile(warm, 0.99)) },
      attachment: {
        mib,
        runs: DOWNLOAD_RUNS,
        apiMiBps: round(apiMiBps),
        rawMiBps: round(rawMiBps),
        ratio: round(apiMiBps / rawMiBps),
      },
    };
  } finally {
    await dovecot.stop();
  }
}

async function largeMessageUid(dovecot: DovecotServer): Promise<number> {
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    auth: { user: MAILBOX.username, pass: MAILBOX.password },
    logger: false,
  });
  await client.connect();
  try {
    await client.mailboxOpen('INBOX', { readOnly: true });
    const uids = await client.search({ header: { 'message-id': CONTENT.large.messageId } }, { uid: true });
    const uid = uids ? uids[0] : undefined;
    if (!uid) throw new Error('the large message is not in the mailbox');
    return uid;
  } finally {
    await client.logout();
  }
}

export function printContentBench(result: ContentBenchResult): void {
  const { cold, warm, attachment } = result;
  console.log(
    `message body (${result.messages} messages, one at a time): cold p50 ${cold.p50} ms, p99 ${cold.p99} ms` +
      ` | warm (cached) p50 ${warm.p50} ms, p99 ${warm.p99} ms`,
  );
  console.log(
    `${attachment.mib} MiB attachment (median of ${attachment.runs}): API ${attachment.apiMiBps} MiB/s` +
      ` | raw imapflow download ${attachment.rawMiBps} MiB/s | ratio ${attachment.ratio}×`,
  );
}
