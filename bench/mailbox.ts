/**
 * The bench mailbox: what the per-endpoint scenarios (bench/endpoints.ts) read
 * and write. A user on the bench's Dovecot holding the test suite's prepared
 * mailbox (folders, a thread, attachments; e2e/fixtures/mailbox.ts) plus a few
 * dozen plain messages, connected through the API itself (POST /2.0/accounts
 * with the mailbox's password) and synced by the app (embedded) or by a worker
 * beside it (PostgreSQL) before the first scenario that needs it.
 */
import type { DovecotServer } from '../e2e/fixtures/dovecot';
import { bulkMessages, prepareMailbox } from '../e2e/fixtures/mailbox';
import { type BenchContext, call } from './client';

export interface BenchMailbox {
  accountId: string;
  label: string;
  /** "Re: Welcome": already \Seen, has an attachment (report.pdf), second message of a thread. */
  messageId: string;
  threadId: string;
  /** report.pdf, 40 KB. */
  fileId: string;
}

const MAILBOX = { username: 'endpoints@mailport.test', password: 'bench-endpoints-password' };
/** Plain messages besides the prepared ones, so a list page is a full page (limit=20). */
const PLAIN_MESSAGES = 40;
const SYNC_TIMEOUT_MS = 120_000;

const filled = new WeakMap<DovecotServer, Promise<void>>();

/** The mailbox's user and mail on this Dovecot, made once (both databases' apps connect the same mailbox). */
function fill(dovecot: DovecotServer): Promise<void> {
  let done = filled.get(dovecot);
  if (!done) {
    done = (async () => {
      await dovecot.addUser(MAILBOX.username, MAILBOX.password);
      await prepareMailbox(dovecot, MAILBOX.username);
      await dovecot.appendMessages(MAILBOX.username, 'INBOX', bulkMessages(PLAIN_MESSAGES, 'endpoints'));
    })();
    filled.set(dovecot, done);
  }
  return done;
}

/** Connects the bench mailbox as a new account of the context's key and waits for its first sync. */
export async function connectBenchMailbox(context: BenchContext, dovecot: DovecotServer): Promise<BenchMailbox> {
  await fill(dovecot);
  const created = await call(context, 'POST', '/2.0/accounts', {
    email: MAILBOX.username,
    server: dovecot.host,
    port: String(dovecot.port),
    use_ssl: '0',
    password: MAILBOX.password,
  });
  // A failed login check answers 200 with success: false and stores nothing.
  if (created.success !== true || !created.source) {
    throw new Error(`POST /2.0/accounts did not connect the bench mailbox: ${JSON.stringify(created)}`);
  }
  const accountId = created.id as string;
  const label = created.source.label as string;
  const accountPath = `/2.0/accounts/${accountId}`;
  const deadline = Date.now() + SYNC_TIMEOUT_MS;
  for (;;) {
    const source = await call(context, 'GET', `${accountPath}/sources/${encodeURIComponent(label)}`);
    if (source.sync_status?.state === 'done') break;
    if (Date.now() > deadline) {
      throw new Error(`the bench mailbox's first sync did not finish: ${JSON.stringify(source.sync_status)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const [message] = await call(context, 'GET', `${accountPath}/messages?subject=${encodeURIComponent('Re: Welcome')}`);
  const [file] = await call(context, 'GET', `${accountPath}/files?file_name=report.pdf`);
  if (!message || !file) throw new Error('the bench mailbox synced without its "Re: Welcome" message or report.pdf');
  return { accountId, label, messageId: message.message_id, threadId: message.thread_id, fileId: file.file_id };
}
