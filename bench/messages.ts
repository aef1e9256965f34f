/**
 * Message reads in `npm run bench` (issue 14, target 4), on PostgreSQL: a
 * database holding 50 accounts of 10,000 synced messages each (written straight
 * in SQL, as the sync would have stored them), then `GET …/messages?limit=20`
 * and every filter of the read API, one request at a time (p50, p99), beside the
 * trivial handler measured the same way. The 32-connection run of the plain list
 * is a scenario of its own (scenarios.ts), reported as a ratio in the main table.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { type BenchContext, signedFetch } from './client';

export const MESSAGE_ACCOUNTS = 50;
export const MESSAGES_PER_ACCOUNT = 10_000;
const SAMPLES = 200;

export interface MessageReadResult {
  name: string;
  path: string;
  p50: number;
  p99: number;
  /** Messages answered by the last request (the filter matched something). */
  answered: number;
}

const id24 = () => randomBytes(12).toString('hex');

/**
 * Seeds the key's developer with the accounts (once per database) and returns
 * their ids. Every 5th message is in Sent, every 10th has a file, 1 in 100 has
 * no date; senders repeat every 200 messages, subjects every 997.
 */
export async function seedAccounts(databaseUrl: string, consumerKey: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ developer_id: string }>(
      'SELECT developer_id FROM api_keys WHERE consumer_key = $1',
      [consumerKey],
    );
    const developerId = rows[0]?.developer_id;
    if (!developerId) throw new Error('the bench key has no developer');
    const ids: string[] = [];
    for (let i = 0; i < MESSAGE_ACCOUNTS; i++) {
      const accountId = id24();
      const sourceId = randomBytes(16).toString('hex');
      const inbox = randomBytes(16).toString('hex');
      const sent = randomBytes(16).toString('hex');
      const email = `reader${i}-${accountId.slice(0, 6)}@bench.example`;
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO accounts (id, developer_id, username, email_addresses) VALUES ($1, $2, $3, ARRAY[$4])`,
        [accountId, developerId, `bench_${accountId}`, email],
      );
      await client.query(
        `INSERT INTO sources (id, account_id, label, email, server, port, tls_mode, username, credential_ciphertext, updated_at)
         VALUES ($1, $2, $3, $4, '127.0.0.1', 993, 'TLS', $4, 'not-a-credential', now())`,
        [sourceId, accountId, `${email}::bench`, email],
      );
      await client.query(
        `INSERT INTO source_folders (id, source_id, name) VALUES ($1, $3, 'INBOX'), ($2, $3, 'Sent')`,
        [inbox, sent, sourceId],
      );
      await client.query(
        `INSERT INTO messages (id, account_id, source_id, folder_id, uid, email_message_id, subject, date, date_received,
           size, from_addresses, to_addresses, thread_id)
         SELECT substr(md5($1 || g), 1, 24), $1, $2, CASE WHEN g % 5 = 0 THEN $4 ELSE $3 END, g,
           '<' || g || '.' || $1 || '@bench.example>',
           'Subject ' || (g % 997) || ' about ' || (ARRAY['invoices', 'travel', 'the meeting', 'a report'])[g % 4 + 1],
           CASE WHEN g % 100 = 0 THEN NULL ELSE timestamp '2020-01-01' + g * interval '37 minutes' END,
           timestamp '2020-01-01' + g * interval '37 minutes', 1000 + g % 5000,
           jsonb_build_array(jsonb_build_object('email', 'sender' || (g % 200) || '@example.com', 'name', 'Sender ' || (g % 200))),
           jsonb_build_array(jsonb_build_object('email', $5::text, 'name', 'Reader')),
           md5('thread' || $1 || (g / 3))
         FROM generate_series(1, $6::int) AS g`,
        [accountId, sourceId, inbox, sent, email, MESSAGES_PER_ACCOUNT],
      );
      await client.query(
        `INSERT INTO message_files (id, account_id, message_id, file_name, content_type, size, body_part)
         SELECT md5('file' || m.id), m.account_id, m.id, 'report.pdf', 'application/pdf', 20000, '2'
         FROM messages m WHERE m.account_id = $1 AND m.uid % 10 = 0`,
        [accountId],
      );
      await client.query('COMMIT');
      ids.push(accountId);
    }
    await client.query('ANALYZE');
    return ids;
  } finally {
    await client.end();
  }
}

const seeded = new Map<string, Promise<string[]>>();

/** The seeded accounts of this key (seeded on first use). */
export function messageAccounts(context: BenchContext): Promise<string[]> {
  const { databaseUrl, credentials } = context;
  if (!databaseUrl || !credentials) throw new Error('message reads need PostgreSQL and an API key');
  const key = `${databaseUrl} ${credentials.key}`;
  let accounts = seeded.get(key);
  if (!accounts) {
    console.log(`  seeding ${MESSAGE_ACCOUNTS} accounts of ${MESSAGES_PER_ACCOUNT} messages…`);
    accounts = seedAccounts(databaseUrl, credentials.key);
    seeded.set(key, accounts);
  }
  return accounts;
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN;
}

async function sequential(
  context: BenchContext,
  path: (round: number) => string,
  signed: boolean,
): Promise<{ p50: number; p99: number; answered: number }> {
  const times: number[] = [];
  let answered = 0;
  for (let round = -10; round < SAMPLES; round++) {
    const started = performance.now();
    const response = signed
      ? await signedFetch(context, 'GET', path(round))
      : await fetch(`${context.baseUrl}${path(round)}`);
    const body = await response.text();
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`GET ${path(round)}: ${response.status} ${body.slice(0, 200)}`);
    if (round < 0) continue; // warm-up
    times.push(elapsed);
    const parsed: unknown = JSON.parse(body);
    answered = Array.isArray(parsed) ? parsed.length : 1;
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99), answered };
}

/** Each filter of GET …/messages, one request at a time, round-robin over the accounts. */
export async function benchMessageReads(context: BenchContext): Promise<MessageReadResult[]> {
  const accounts = await messageAccounts(context);
  const account = (round: number) => accounts[((round % accounts.length) + accounts.length) % accounts.length] ?? '';
  const list = (round: number, query: string) => `/2.0/accounts/${account(round)}/messages?limit=20${query}`;
  const emailOf = (round: number) => `reader${((round % accounts.length) + accounts.length) % accounts.length}`;
  const cases: [string, (round: number) => string][] = [
    ['list (newest 20)', (round) => list(round, '')],
    ['list, offset 5000', (round) => list(round, '&offset=5000')],
    ['folder=Sent', (round) => list(round, '&folder=Sent')],
    ['from=<address>', (round) => list(round, `&from=sender${round % 200}%40example.com`)],
    ['subject=<text>', (round) => list(round, '&subject=meeting')],
    ['date_before & date_after', (round) => list(round, '&date_after=1585000000&date_before=1590000000')],
    ['one message by id', (round) => `/2.0/accounts/${account(round)}/messages/${messageIdOf(account(round), 77)}`],
  ];
  // `to` is the reader's own address (every message): the worst case for a containment filter.
  cases.splice(4, 0, [
    'to=<address>',
    (round) => {
      const id = account(round);
      return list(round, `&to=${emailOf(round)}-${id.slice(0, 6)}%40bench.example`);
    },
  ]);
  const results: MessageReadResult[] = [];
  const baseline = await sequential(context, () => '/livez', false);
  results.push({ name: 'baseline: GET /livez', path: '/livez', ...baseline });
  for (const [name, path] of cases) {
    console.log(`  message reads: ${name}…`);
    results.push({ name, path: path(0), ...(await sequential(context, path, true)) });
  }
  return results;
}

/** The id seedAccounts gives the message with this UID. */
function messageIdOf(accountId: string, uid: number): string {
  return createHash('md5').update(`${accountId}${uid}`).digest('hex').slice(0, 24);
}

export function printMessageReads(results: MessageReadResult[]): void {
  console.log(
    `\nmessage reads, one request at a time (${MESSAGE_ACCOUNTS} accounts × ${MESSAGES_PER_ACCOUNT} messages; target p50 ≤ 50 ms, p99 ≤ 150 ms)`,
  );
  console.log('read                          p50 ms  p99 ms  answered');
  for (const result of results) {
    console.log(
      `${result.name.padEnd(28)}  ${result.p50.toFixed(1).padStart(6)}  ${result.p99.toFixed(1).padStart(6)}  ${result.answered}`,
    );
  }
}
