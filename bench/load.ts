/**
 * Load and faults (issue 16, items 2 and 3), one scripted run shared by the
 * short variant in the test suite (e2e/load.spec.ts) and the full one
 * (`npm run bench -- --filter load`): two app instances (`npm start` on the
 * build) and two `npm run worker` processes on one private PostgreSQL, a local
 * Dovecot and a webhook receiver, all over real HTTP and IMAP.
 *
 *  1. connect: `tokens` connect tokens, each completed `completionsPerToken`
 *     times at once through the hosted pages' no-JavaScript form posts, spread
 *     over both instances; the first mailbox is large and a worker is SIGKILLed
 *     in the middle of its initial sync.
 *  2. load: `creations` token creations from `clients` concurrent clients on
 *     both instances while the connected (now live) mailboxes receive mail
 *     through doveadm; meanwhile an instance is SIGKILLed (and started again),
 *     a worker is SIGKILLed with a webhook POST in flight, and PostgreSQL is
 *     stopped for a few seconds (503 + Retry-After, /healthz red, recovery
 *     without a restart).
 *  3. Dovecot is SIGKILLed while every mailbox IDLEs and one is mid-way
 *     through a live pass: CONNECTION_IMPOSSIBLE only after the window, then OK.
 *
 * Afterwards every acknowledged create exists exactly once, every mailbox has
 * one account and one source, every delivered message is stored once and
 * announced once (one delivery id per message at the receiver). Violations are
 * returned, not thrown, so a run reports every broken promise at once.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type DovecotServer, startDovecot } from '../e2e/fixtures/dovecot';
import { buildMessage, bulkMessages } from '../e2e/fixtures/mailbox';
import { type BenchContext, call, signedFetch } from './client';
import { signInForm } from './connect';
import { manyIdleConnections } from './live';
import { startWebhookReceiver, type WebhookReceiver } from './load-receiver';
import {
  createApiKey,
  type PrivatePostgres,
  type RunningApp,
  type RunningWorker,
  startApp,
  startPrivatePostgres,
  startWorker,
} from './server';

export interface LoadOptions {
  /** Token creations in phase 2 (full 10,000; short 1,000). */
  creations: number;
  /** Concurrent API clients. */
  clients: number;
  /** Connect tokens, and so live mailboxes (full 100; short 10). */
  tokens: number;
  /** Concurrent completions of each token's connect flow (10: 1,000 over 100 tokens). */
  completionsPerToken: number;
  /** Messages delivered to each live mailbox during the load. */
  messagesPerMailbox: number;
  /** Messages in the first mailbox, whose initial sync loses its worker. */
  bigMailbox: number;
  /** Messages that land in one live mailbox just before Dovecot is killed (a live pass mid-way). */
  burstMessages: number;
  log?: (line: string) => void;
}

export const FULL_LOAD: LoadOptions = {
  creations: 10_000,
  clients: 64,
  tokens: 100,
  completionsPerToken: 10,
  messagesPerMailbox: 3,
  bigMailbox: 5_000,
  burstMessages: 3_000,
};

export const SHORT_LOAD: LoadOptions = {
  creations: 1_000,
  clients: 64,
  tokens: 10,
  completionsPerToken: 10,
  messagesPerMailbox: 3,
  bigMailbox: 2_000,
  burstMessages: 1_500,
};

/** The window before an unreachable server makes a source CONNECTION_IMPOSSIBLE (MAILPORT_UNREACHABLE_SECONDS). */
const UNREACHABLE_SECONDS = 8;
const PASSWORD = 'load-password';
const PARTNER = 'https://partner.example.com';

export interface LoadReport {
  options: Omit<LoadOptions, 'log'>;
  violations: string[];
  connect: { attempts: number; seconds: number; statuses: Record<string, number>; connected: number };
  creations: {
    attempted: number;
    acknowledged: number;
    seconds: number;
    perSecond: number;
    p50Ms: number;
    p99Ms: number;
    statuses: Record<string, number>;
    /** Not acknowledged (killed instance, outage) yet committed: the client cannot know; counted, not a defect. */
    committedUnacknowledged: number;
  };
  mail: {
    delivered: number;
    stored: number;
    notified: number;
    /** Messages the webhook's filter matches: those sent under load (the burst is left out). */
    announcedExpected: number;
    webhookPosts: number;
    deliveryToStoredP50Ms: number;
    deliveryToStoredP95Ms: number;
  };
  faults: {
    appKilledAt: number;
    appBackAfterMs: number;
    workerKilledMidSync: { syncedAtKill: number; total: number };
    workerKilledMidDelivery: { cutDeliveries: number; arrivedAfterMs: number };
    outage: { seconds: number; healthz: string; api: string; recoveredAfterMs: number; answers503: number };
    dovecot: {
      windowSeconds: number;
      firstImpossibleAfterMs: number;
      lastImpossibleAfterMs: number;
      recoveredAfterMs: number;
      burstStoredAtKill: number;
    };
  };
  peakRssMiB: { apps: number | null; postgresNote: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What became of messages not announced: their deliveries and those deliveries' jobs (for a failure's report). */
async function unannouncedReport(db: pg.Pool, delivered: string[], announced: Map<string, Set<string>>) {
  const missing = delivered.filter((id) => !announced.has(id));
  if (missing.length === 0) return 'every message announced (a cut delivery is missing)';
  const { rows } = await db.query(
    `SELECT m.email_message_id, d.id, d.state, d.attempts, d.sending_until, d.created_at,
            (SELECT json_agg(json_build_object('state', j.state, 'retry_count', j.retry_count, 'start_after', j.start_after))
               FROM pgboss.job j WHERE j.data->>'deliveryId' = d.id) AS jobs
       FROM messages m LEFT JOIN callback_deliveries d ON d.message_id = m.id
      WHERE m.email_message_id = ANY($1)`,
    [missing],
  );
  return `not announced: ${JSON.stringify(rows)}`;
}

async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1;
};

/** Runs `task` over `items` with at most `limit` at once. */
async function pool<T>(items: T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

const mailboxOf = (i: number) => `load${i}@mailport.test`;

export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? ((line: string) => console.log(`  load: ${line}`));
  if (process.getuid?.() !== 0) throw new Error('the load run starts Dovecot, which needs root');
  const violations: string[] = [];
  const fail = (message: string) => {
    violations.push(message);
    log(`VIOLATION: ${message}`);
  };

  const started = await startPrivatePostgres();
  if (!('url' in started)) throw new Error(`the load run needs PostgreSQL's binaries (${started.reason})`);
  const postgres: PrivatePostgres = started;
  const limit = options.tokens * 4 + 100;
  let dovecot: DovecotServer | undefined;
  let receiver: WebhookReceiver | undefined;
  const apps: RunningApp[] = [];
  const workers: RunningWorker[] = [];
  const db = new pg.Pool({ connectionString: postgres.url, max: 4 });
  // The pool's idle clients see PostgreSQL go away in the outage: not an error of the run.
  db.on('error', () => {});
  try {
    // Settings of issue 12's live benchmark: one imap process per IDLE, and 1 s re-checks when inotify runs out.
    dovecot = await startDovecot({ extraConfig: manyIdleConnections(limit) });
    for (let i = 0; i < options.tokens; i++) await dovecot.addUser(mailboxOf(i), PASSWORD);
    await dovecot.deliverMessages(mailboxOf(0), bulkMessages(options.bigMailbox, 'big'));
    for (let i = 1; i < options.tokens; i++) {
      await dovecot.deliverMessages(mailboxOf(i), [{ rfc822: history(i) }]);
    }
    receiver = await startWebhookReceiver();

    const env: Record<string, string> = {
      DATABASE_URL: postgres.url,
      MAILPORT_MASTER_KEY: randomBytes(32).toString('hex'),
      MAILPORT_DB_POOL_SIZE: '12',
      // The load clients say who they are in X-Forwarded-For, as a proxy in front would: the connect
      // flow's per-address limit (30 an hour) is for one address, not for a whole test.
      MAILPORT_TRUSTED_PROXY_HOPS: '1',
      MAILPORT_CALLBACK_RETRY_SECONDS: '1',
      // A killed worker's sync is taken for crashed after 10 s (default 10 min); the apps send the jobs, so they set it.
      MAILPORT_SYNC_JOB_TIMEOUT_SECONDS: '10',
      MAILPORT_LIVE_LEASE_SECONDS: '6',
      MAILPORT_UNREACHABLE_SECONDS: String(UNREACHABLE_SECONDS),
      MAILPORT_IMAP_CONNECTIONS_PER_SERVER: String(options.tokens + 20),
    };
    const a = await startApp('load-a', env);
    apps.push(a);
    const b = await startApp('load-b', env);
    apps.push(b);
    const key = createApiKey(a, `load-${randomBytes(4).toString('hex')}@example.com`);
    if (!key.ok) throw new Error(`keys:create: ${key.reason}`);
    const credentials = { key: key.key, secret: key.secret };
    const contexts: BenchContext[] = [
      { baseUrl: a.baseUrl, credentials },
      { baseUrl: b.baseUrl, credentials },
    ];
    // Only the mail sent under load ("Under load …"): the burst of phase 3 is there to be cut mid-way by the
    // Dovecot kill, and announcing it would only measure the delivery rate (8/s with two workers: each of
    // their 4 callback loops takes one job per 1 s poll), which the mail under load already shows.
    await call(contexts[0] as BenchContext, 'POST', '/2.0/webhooks', {
      callback_url: receiver.url,
      failure_notif_url: `${receiver.url}/failure`,
      filter_subject: 'Under load',
    });

    // ---- 1. connect flows, and a worker killed mid-sync ----------------------------------------------
    // One worker only, so the big mailbox's initial sync is certainly the one that dies.
    workers.push(await startWorker(a));
    const tokens: string[] = [];
    for (let i = 0; i < options.tokens; i++) {
      const created = await call(contexts[i % 2] as BenchContext, 'POST', '/2.0/connect_tokens', {
        callback_url: `${PARTNER}/connected`,
        email: mailboxOf(i),
      });
      tokens.push(created.token as string);
    }
    const port = dovecot.port;
    const attempts = tokens.flatMap((token, i) =>
      Array.from({ length: options.completionsPerToken }, (_, j) => ({ token, i, j })),
    );
    // Every page first (a browser opens the page, then submits), then every submission at once.
    const forms = new Map<string, { url: string; action: string; fields: [string, string][] }>();
    await pool(attempts, options.clients, async ({ token, i, j }) => {
      const base = (j % 2 ? b : a).baseUrl;
      const url = `${base}/connect/${token}`;
      const page = await fetch(url);
      const html = await page.text();
      if (page.status !== 200) {
        fail(`connect page of token ${i}: ${page.status}`);
        return;
      }
      forms.set(`${i}/${j}`, { url, ...signInForm(html) });
    });
    const bigSync = async () => {
      const { rows } = await db.query<{ state: string; messages_synced: number }>(
        `SELECT y.state, y.messages_synced::int AS messages_synced FROM source_syncs y JOIN sources s ON s.id = y.source_id
         WHERE s.email = $1`,
        [mailboxOf(0)],
      );
      return rows[0];
    };
    // Watched from before the submissions: the big mailbox connects among the first and its sync runs
    // while the other submissions are still being answered.
    const midSyncKill = (async () => {
      await waitUntil(
        'the big mailbox to be mid-way through its initial sync',
        async () => ((await bigSync())?.messages_synced ?? 0) >= 100,
        180_000,
        25,
      );
      const atKill = await bigSync();
      await workers[0]?.kill();
      log(`worker SIGKILLed mid-sync (${atKill?.messages_synced}/${options.bigMailbox} messages stored)`);
      if (atKill?.state !== 'running' || (atKill?.messages_synced ?? 0) >= options.bigMailbox) {
        fail(`the big mailbox's sync was not mid-way at the kill: ${JSON.stringify(atKill)}`);
      }
      return { atKill };
    })();
    // Reported when awaited below; not an unhandled rejection meanwhile.
    midSyncKill.catch(() => {});
    const connectStatuses: Record<string, number> = {};
    let connected = 0;
    const connectStarted = performance.now();
    await Promise.all(
      attempts.map(async ({ token, i, j }) => {
        const form = forms.get(`${i}/${j}`);
        if (!form) return;
        const body = new FormData();
        for (const [name, value] of form.fields) body.append(name, value);
        body.append('server', '127.0.0.1');
        body.append('port', String(port));
        body.append('tlsMode', 'NONE');
        body.append('username', mailboxOf(i));
        body.append('password', PASSWORD);
        try {
          const response = await fetch(new URL(form.action || form.url, form.url), {
            method: 'POST',
            body,
            redirect: 'manual',
            headers: { 'x-forwarded-for': `10.${i >> 8}.${i & 255}.${j + 1}` },
          });
          await response.body?.cancel();
          const location = response.headers.get('location') ?? '';
          // Back to the partner (connected), or back to the page (already used, or a limit), or anything else.
          const kind =
            response.status === 303 && location.startsWith(`${PARTNER}/connected?contextio_token=${token}`)
              ? 'connected'
              : response.status === 303 && location.includes(`/connect/${token}`)
                ? 'back to the page'
                : String(response.status);
          bump(connectStatuses, kind);
          if (kind === 'connected') connected += 1;
          if (response.status >= 500) fail(`connect submission of token ${i}: ${response.status}`);
        } catch (error) {
          bump(connectStatuses, 'network error');
          fail(`connect submission of token ${i}: ${(error as Error).message}`);
        }
      }),
    );
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    log(`${attempts.length} connect submissions in ${connectSeconds.toFixed(1)} s: ${JSON.stringify(connectStatuses)}`);

    const { atKill } = await midSyncKill;
    workers[0] = await startWorker(a);
    workers.push(await startWorker(a));

    const sourcesLive = async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM source_leases l JOIN source_folders f ON f.source_id = l.source_id
         JOIN source_syncs y ON y.source_id = l.source_id
         WHERE f.name = 'INBOX' AND f.last_sync_stop >= l.acquired_at AND y.state = 'done'`,
      );
      return rows[0]?.n === options.tokens;
    };
    await waitUntil('every mailbox synced and live', sourcesLive, 120_000, 250);
    const big = await db.query<{ n: number; uids: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT m.uid)::int AS uids FROM messages m JOIN sources s ON s.id = m.source_id
       WHERE s.email = $1`,
      [mailboxOf(0)],
    );
    if (big.rows[0]?.n !== options.bigMailbox || big.rows[0]?.uids !== options.bigMailbox) {
      fail(
        `the big mailbox holds ${JSON.stringify(big.rows[0])} messages after the resumed sync, not ${options.bigMailbox}`,
      );
    }

    // ---- 2. token creations under load, mail arriving, faults --------------------------------------
    const acknowledged = new Map<number, string>();
    const creationStatuses: Record<string, number> = {};
    const latencies: number[] = [];
    const instanceUp = [true, true];
    let nextCreate = 0;
    const createOne = async (n: number) => {
      const context = contexts[n % 2] as BenchContext;
      const sent = performance.now();
      try {
        const response = await signedFetch(context, 'POST', '/2.0/connect_tokens', {
          callback_url: `${PARTNER}/load?n=${n}`,
        });
        const text = await response.text();
        bump(creationStatuses, String(response.status));
        if (response.status === 200 || response.status === 201) {
          acknowledged.set(n, (JSON.parse(text) as { token: string }).token);
          latencies.push(performance.now() - sent);
        } else if (response.status === 503) {
          if (!response.headers.get('retry-after')) fail(`503 without Retry-After on create ${n}`);
          // A client told to come back later does, sooner than Retry-After says so the outage sees traffic.
          await sleep(250);
        } else {
          fail(`create ${n}: ${response.status} ${text.slice(0, 200)}`);
        }
      } catch (error) {
        bump(creationStatuses, 'network error');
        // Only the killed instance may fail to answer.
        if (instanceUp[n % 2]) fail(`create ${n} on a running instance: ${(error as Error).message}`);
        await sleep(100);
      }
    };
    // When each message was first seen stored, watched through the load (not only after it).
    const storedAt = new Map<string, number>();
    const seeStored = async () => {
      const { rows } = await db.query<{ email_message_id: string }>(
        `SELECT email_message_id FROM messages WHERE email_message_id LIKE '<load-%'`,
      );
      for (const row of rows)
        if (!storedAt.has(row.email_message_id)) storedAt.set(row.email_message_id, performance.now());
    };
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        await seeStored().catch(() => {}); // PostgreSQL may be stopped meanwhile
        await sleep(250);
      }
    })();
    const loadStarted = performance.now();
    // Clients go on until `creations` are acknowledged: a create refused (503) or cut (killed instance) is
    // not retried as such, a new one is sent (with its own number), as a client that got no answer would.
    const maxAttempts = options.creations * 3;
    const creators = Promise.all(
      Array.from({ length: options.clients }, async () => {
        while (acknowledged.size < options.creations && nextCreate < maxAttempts) await createOne(nextCreate++);
      }),
    );
    const progress = () => acknowledged.size / options.creations;

    // Mail for every live mailbox, spread over the load.
    const deliveredAt = new Map<string, number>();
    const mailPlan = Array.from({ length: options.tokens * options.messagesPerMailbox }, (_, k) => ({
      mailbox: k % options.tokens,
      k,
    }));
    const mail = (async () => {
      for (const { mailbox, k } of mailPlan) {
        const messageId = `<load-${k}@test>`;
        await dovecot?.deliverMessage(mailboxOf(mailbox), 'INBOX', newMail(messageId, k));
        deliveredAt.set(messageId, performance.now());
        // Paced to the load: the last messages go while the creations still run.
        while (progress() < k / mailPlan.length && acknowledged.size < options.creations) await sleep(20);
      }
    })();

    const faults = (async () => {
      // An instance dies with requests in flight, and comes back on its address.
      await waitUntil('20% of the creations', () => progress() >= 0.2, 600_000, 20);
      instanceUp[0] = false;
      const killedAt = performance.now();
      await a.kill();
      log(`instance A SIGKILLed at ${acknowledged.size} acknowledged creations`);
      const port = Number(new URL(a.baseUrl).port);
      const a2 = await startApp('load-a', env, [], port);
      apps[0] = a2;
      instanceUp[0] = true;
      const appBackAfterMs = performance.now() - killedAt;
      log(`instance A answering again after ${(appBackAfterMs / 1000).toFixed(1)} s`);

      // PostgreSQL stops under load: 503 with Retry-After, /healthz red, then back without restarts.
      await waitUntil('40% of the creations', () => progress() >= 0.4, 600_000, 20);
      postgres.down();
      const downAt = performance.now();
      log(`PostgreSQL stopped at ${acknowledged.size} acknowledged creations`);
      const healthz = await Promise.all(apps.map((app) => fetch(`${app.baseUrl}/healthz`)));
      const healthzSeen = healthz.map(
        (response) => `${response.status} retry-after ${response.headers.get('retry-after')}`,
      );
      for (const response of healthz) await response.body?.cancel();
      const api = await signedFetch(contexts[1] as BenchContext, 'GET', '/2.0/connect_tokens?limit=1');
      const apiBody = await api.text();
      const apiSeen = `${api.status} retry-after ${api.headers.get('retry-after')} ${apiBody}`;
      if (healthz.some((response) => response.status !== 503 || !response.headers.get('retry-after'))) {
        fail(`/healthz during the outage: ${healthzSeen.join(', ')}`);
      }
      if (api.status !== 503 || !api.headers.get('retry-after') || !/^\{"type":"error","value":".+"\}$/.test(apiBody)) {
        fail(`the API during the outage: ${apiSeen}`);
      }
      const answersBefore = creationStatuses['503'] ?? 0;
      await sleep(3_000);
      postgres.up();
      const upAt = performance.now();
      await waitUntil(
        'both instances ready again',
        async () => {
          const answers = await Promise.all(
            apps.map((app) =>
              fetch(`${app.baseUrl}/healthz`)
                .then(async (response) => {
                  await response.body?.cancel();
                  return response.status;
                })
                .catch(() => 0),
            ),
          );
          return answers.every((status) => status === 200);
        },
        60_000,
        100,
      );
      const recoveredAfterMs = performance.now() - upAt;
      log(`ready again ${(recoveredAfterMs / 1000).toFixed(1)} s after PostgreSQL came back`);
      // The workers die while a webhook POST is in flight (held unanswered by the receiver), until one was cut.
      const cutBefore = receiver?.cut.size ?? 0;
      for (let round = 0; round < 4 && (receiver?.cut.size ?? 0) === cutBefore; round++) {
        receiver?.hold(true);
        // Fresh mail for every mailbox, so deliveries are on their way whatever the paced mail has done.
        for (let i = 0; i < options.tokens; i++) {
          const messageId = `<load-kill-${round}-${i}@test>`;
          await dovecot?.deliverMessage(mailboxOf(i), 'INBOX', newMail(messageId, -i));
          deliveredAt.set(messageId, performance.now());
        }
        await waitUntil('a webhook delivery in flight', () => (receiver?.held() ?? 0) > 0, 60_000, 10).catch(
          async (error: Error) => {
            const { rows } = await db.query(
              `SELECT count(*)::int AS n FROM messages WHERE email_message_id LIKE '<load-%'`,
            );
            throw new Error(
              `${error.message} (${deliveredAt.size} delivered, ${rows[0]?.n} stored, ${receiver?.posts()} webhook POSTs)`,
            );
          },
        );
        // Every worker: a held POST may be either's (a worker that has just worked a job takes the next at once,
        // so one of them often takes them all), and killing one at a time missed it in one run of four rounds.
        await Promise.all(workers.map((worker) => worker.kill()));
        await sleep(500);
        receiver?.hold(false);
        for (let i = 0; i < workers.length; i++) workers[i] = await startWorker(a2);
      }
      const cut = [...(receiver?.cut ?? [])];
      log(`the workers SIGKILLed with ${cut.length} webhook deliveries in flight`);
      if (cut.length === 0) fail('no webhook delivery was in flight when a worker was killed');

      return {
        appKilledAt: Math.round(killedAt - loadStarted),
        appBackAfterMs: Math.round(appBackAfterMs),
        cut,
        outage: {
          seconds: Math.round((upAt - downAt) / 100) / 10,
          healthz: healthzSeen.join(', '),
          api: apiSeen,
          recoveredAfterMs: Math.round(recoveredAfterMs),
          answers503: (creationStatuses['503'] ?? 0) - answersBefore,
        },
      };
    })();

    const [, , faultFigures] = await Promise.all([creators, mail, faults]);
    const loadSeconds = (performance.now() - loadStarted) / 1000;
    if (acknowledged.size < options.creations)
      fail(`only ${acknowledged.size} of ${options.creations} creates acknowledged in ${nextCreate} attempts`);
    log(`${nextCreate} creation attempts in ${loadSeconds.toFixed(1)} s: ${JSON.stringify(creationStatuses)}`);

    // Every delivered message stored once, announced once; the cut deliveries arrived.
    const delivered = [...deliveredAt.keys()];
    watching = false;
    await watcher;
    await waitUntil(
      'every delivered message stored',
      async () => {
        await seeStored();
        return delivered.every((id) => storedAt.has(id));
      },
      120_000,
      100,
    ).catch((error: Error) => fail(error.message));
    const announced = () => {
      const byMessage = new Map<string, Set<string>>();
      for (const [deliveryId, { messageId }] of receiver?.deliveries ?? []) {
        const ids = byMessage.get(messageId) ?? new Set<string>();
        ids.add(deliveryId);
        byMessage.set(messageId, ids);
      }
      return byMessage;
    };
    const cutAt = performance.now();
    // A delivery cut by the kill waits for its job to expire (60 s) before pg-boss retries it.
    await waitUntil(
      'every delivered message announced, the cut deliveries included',
      () => {
        const byMessage = announced();
        return (
          delivered.every((id) => byMessage.has(id)) &&
          faultFigures.cut.every((id) => receiver?.deliveries.has(id) ?? false)
        );
      },
      // Deliveries go at about 8/s with two workers (see the webhook above).
      Math.max(180_000, delivered.length * 250),
      200,
    ).catch(async (error: Error) => fail(`${error.message}; ${await unannouncedReport(db, delivered, announced())}`));
    const arrivedAfterMs = performance.now() - cutAt;

    // ---- 3. Dovecot killed mid-IDLE and mid-pass ----------------------------------------------------
    const burstBox = mailboxOf(options.tokens > 1 ? 1 : 0);
    const burstCount = async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM messages WHERE email_message_id LIKE '<burst-%'`,
      );
      return rows[0]?.n ?? 0;
    };
    await dovecot.deliverMessages(burstBox, bulkMessages(options.burstMessages, 'burst'));
    // Stored in batches of 500: the first batch is in, the rest still to come.
    await waitUntil('the burst mid-way through its live pass', async () => (await burstCount()) > 0, 60_000, 10);
    const burstStoredAtKill = await burstCount();
    const killedAt = new Date();
    await dovecot.kill();
    log(`Dovecot SIGKILLed (${burstStoredAtKill}/${options.burstMessages} burst messages stored)`);
    if (burstStoredAtKill >= options.burstMessages) fail('the burst was stored before Dovecot was killed');
    const impossibleSince = async () => {
      const { rows } = await db.query<{ changed_at: Date }>(
        `SELECT c.changed_at FROM source_status_changes c WHERE c.status = 'CONNECTION_IMPOSSIBLE' AND c.changed_at >= $1`,
        [killedAt],
      );
      return rows.map((row) => row.changed_at.getTime() - killedAt.getTime());
    };
    const earlyCheck = setInterval(async () => {
      const early = (await impossibleSince().catch(() => [])).filter((ms) => ms < UNREACHABLE_SECONDS * 1000);
      if (early.length > 0) fail(`CONNECTION_IMPOSSIBLE ${early[0]} ms after the kill, before the window`);
    }, 500);
    await waitUntil(
      'every source CONNECTION_IMPOSSIBLE',
      async () => (await impossibleSince()).length >= options.tokens,
      (UNREACHABLE_SECONDS + 60) * 1000,
      250,
    ).catch((error: Error) => fail(error.message));
    clearInterval(earlyCheck);
    const impossible = (await impossibleSince()).sort((x, y) => x - y);
    if (impossible.length > options.tokens)
      fail(`${impossible.length} changes to CONNECTION_IMPOSSIBLE for ${options.tokens} sources`);
    if ((impossible[0] ?? 0) < UNREACHABLE_SECONDS * 1000)
      fail(`a source went CONNECTION_IMPOSSIBLE after ${impossible[0]} ms`);
    await dovecot.restart();
    const restartedAt = performance.now();
    await waitUntil(
      'every source OK again',
      async () => {
        const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sources WHERE status = 'OK'`);
        return rows[0]?.n === options.tokens;
      },
      180_000,
      250,
    ).catch((error: Error) => fail(error.message));
    const recoveredAfterMs = performance.now() - restartedAt;
    log(`every source OK ${(recoveredAfterMs / 1000).toFixed(1)} s after Dovecot came back`);
    await waitUntil(
      'the whole burst stored',
      async () => (await burstCount()) === options.burstMessages,
      120_000,
      250,
    ).catch((error: Error) => fail(error.message));
    // ---- the invariants ---------------------------------------------------------------------------
    const { rows: created } = await db.query<{ id: string; callback_url: string }>(
      `SELECT id, callback_url FROM connect_tokens WHERE callback_url LIKE $1`,
      [`${PARTNER}/load?n=%`],
    );
    const rowsByN = new Map<number, string[]>();
    for (const row of created) {
      const n = Number(new URL(row.callback_url).searchParams.get('n'));
      rowsByN.set(n, [...(rowsByN.get(n) ?? []), row.id]);
    }
    for (const [n, token] of acknowledged) {
      const rows = rowsByN.get(n) ?? [];
      if (rows.length !== 1 || rows[0] !== token)
        fail(`acknowledged create ${n} (${token}) is stored as ${JSON.stringify(rows)}`);
    }
    for (const [n, rows] of rowsByN) if (rows.length > 1) fail(`create ${n} is stored ${rows.length} times`);
    const committedUnacknowledged = [...rowsByN.keys()].filter((n) => !acknowledged.has(n)).length;

    const { rows: perMailbox } = await db.query<{ email: string; sources: number; accounts: number }>(
      `SELECT s.email, count(*)::int AS sources, count(DISTINCT s.account_id)::int AS accounts FROM sources s GROUP BY s.email`,
    );
    if (perMailbox.length !== options.tokens) fail(`${perMailbox.length} mailboxes connected, not ${options.tokens}`);
    for (const row of perMailbox) {
      if (row.sources !== 1 || row.accounts !== 1)
        fail(`${row.email}: ${row.sources} sources in ${row.accounts} accounts`);
    }
    const { rows: used } = await db.query<{ used: number; accounts: number }>(
      `SELECT count(*)::int AS used, count(DISTINCT account_id)::int AS accounts FROM connect_tokens WHERE account_id IS NOT NULL`,
    );
    if (used[0]?.used !== options.tokens || used[0]?.accounts !== options.tokens) {
      fail(`connect tokens used: ${JSON.stringify(used[0])}, expected ${options.tokens} with one account each`);
    }
    const { rows: doubled } = await db.query<{ email_message_id: string; n: number }>(
      `SELECT email_message_id, count(*)::int AS n FROM messages WHERE email_message_id LIKE '<load-%' OR email_message_id LIKE '<burst-%'
       GROUP BY email_message_id HAVING count(*) > 1 LIMIT 5`,
    );
    for (const row of doubled) fail(`${row.email_message_id} stored ${row.n} times`);
    const byMessage = announced();
    for (const [messageId, ids] of byMessage) {
      if (ids.size > 1) fail(`${messageId} announced by ${ids.size} different deliveries`);
    }
    if (byMessage.size !== delivered.length) fail(`${byMessage.size} messages announced, ${delivered.length} expected`);
    const burstAnnounced = [...byMessage.keys()].filter((id) => id.startsWith('<burst-')).length;
    if (burstAnnounced > 0)
      fail(`${burstAnnounced} burst messages announced, though the webhook's filter leaves them out`);
    for (const [index, worker] of workers.entries()) {
      if (worker.hasExited()) fail(`worker ${index} exited on its own:\n${worker.output().slice(-2000)}`);
    }

    const toStored = delivered
      .map((id) => (storedAt.get(id) ?? Number.NaN) - (deliveredAt.get(id) ?? Number.NaN))
      .filter(Number.isFinite)
      .sort((x, y) => x - y);
    latencies.sort((x, y) => x - y);
    return {
      options: { ...options, log: undefined } as Omit<LoadOptions, 'log'>,
      violations,
      connect: { attempts: attempts.length, seconds: connectSeconds, statuses: connectStatuses, connected },
      creations: {
        attempted: nextCreate,
        acknowledged: acknowledged.size,
        seconds: loadSeconds,
        perSecond: acknowledged.size / loadSeconds,
        p50Ms: Math.round(percentile(latencies, 0.5)),
        p99Ms: Math.round(percentile(latencies, 0.99)),
        statuses: creationStatuses,
        committedUnacknowledged,
      },
      mail: {
        delivered: delivered.length + options.burstMessages,
        stored: storedAt.size + (await burstCount()),
        notified: byMessage.size,
        announcedExpected: delivered.length,
        webhookPosts: receiver.posts(),
        deliveryToStoredP50Ms: Math.round(percentile(toStored, 0.5)),
        deliveryToStoredP95Ms: Math.round(percentile(toStored, 0.95)),
      },
      faults: {
        appKilledAt: faultFigures.appKilledAt,
        appBackAfterMs: faultFigures.appBackAfterMs,
        workerKilledMidSync: { syncedAtKill: atKill?.messages_synced ?? 0, total: options.bigMailbox },
        workerKilledMidDelivery: { cutDeliveries: faultFigures.cut.length, arrivedAfterMs: Math.round(arrivedAfterMs) },
        outage: faultFigures.outage,
        dovecot: {
          windowSeconds: UNREACHABLE_SECONDS,
          firstImpossibleAfterMs: impossible[0] ?? -1,
          lastImpossibleAfterMs: impossible.at(-1) ?? -1,
          recoveredAfterMs: Math.round(recoveredAfterMs),
          burstStoredAtKill,
        },
      },
      peakRssMiB: { apps: Math.max(...apps.map((app) => app.peakRssMiB() ?? 0)) || null, postgresNote: 'not measured' },
    };
  } catch (error) {
    violations.push((error as Error).message);
    throw error;
  } finally {
    if (violations.length > 0) {
      for (const app of apps) log(`${app.label} stderr (last lines):\n${app.stderrTail().slice(-3000)}`);
      for (const [index, worker] of workers.entries())
        log(`worker ${index} output (last lines):\n${worker.output().slice(-3000)}`);
    }
    for (const worker of workers) await worker.stop().catch(() => {});
    for (const app of apps) await app.stop().catch(() => {});
    await receiver?.stop();
    await db.end().catch(() => {});
    await dovecot?.stop();
    postgres.stop();
  }
}

function history(i: number): string {
  return buildMessage({
    messageId: `<history-${i}@test>`,
    from: 'Bob <bob@example.org>',
    to: `<${mailboxOf(i)}>`,
    subject: `Before connecting ${i}`,
    date: new Date(Date.UTC(2025, 0, 1)),
    text: 'Already there when the mailbox was connected.',
  });
}

function newMail(messageId: string, k: number): string {
  return buildMessage({
    messageId,
    from: 'Load <load@example.org>',
    to: '<jane@mailport.test>',
    subject: `Under load ${k}`,
    date: new Date(),
    text: `Message ${k}, delivered while the API is under load.`,
  });
}

export function printLoadReport(report: LoadReport): void {
  const { connect, creations, mail, faults } = report;
  const o = report.options;
  console.log(
    `\nload and faults: 2 app instances + 2 workers on one PostgreSQL, ${o.tokens} live mailboxes on a local Dovecot`,
  );
  console.log(
    `connect: ${connect.attempts} concurrent submissions over ${o.tokens} tokens in ${connect.seconds.toFixed(1)} s → ` +
      `${JSON.stringify(connect.statuses)}`,
  );
  console.log(
    `token creations: ${creations.acknowledged}/${creations.attempted} acknowledged from ${o.clients} clients in ` +
      `${creations.seconds.toFixed(1)} s (${creations.perSecond.toFixed(0)}/s, p50 ${creations.p50Ms} ms, p99 ${creations.p99Ms} ms); ` +
      `answers ${JSON.stringify(creations.statuses)}; committed but not acknowledged: ${creations.committedUnacknowledged}`,
  );
  console.log(
    `mail: ${mail.delivered} delivered, ${mail.stored} stored, ${mail.notified}/${mail.announcedExpected} announced (${mail.webhookPosts} webhook POSTs); ` +
      `delivery → stored under load p50 ${mail.deliveryToStoredP50Ms} ms, p95 ${mail.deliveryToStoredP95Ms} ms`,
  );
  console.log(
    `faults: instance SIGKILLed at ${(faults.appKilledAt / 1000).toFixed(1)} s, back after ${(faults.appBackAfterMs / 1000).toFixed(1)} s; ` +
      `worker SIGKILLed mid-sync at ${faults.workerKilledMidSync.syncedAtKill}/${faults.workerKilledMidSync.total}; ` +
      `worker SIGKILLed with ${faults.workerKilledMidDelivery.cutDeliveries} deliveries in flight, all arrived within ` +
      `${(faults.workerKilledMidDelivery.arrivedAfterMs / 1000).toFixed(1)} s of the load's end`,
  );
  console.log(
    `PostgreSQL down ${faults.outage.seconds} s: /healthz ${faults.outage.healthz}; API ${faults.outage.api.slice(0, 120)}; ` +
      `${faults.outage.answers503} creations answered 503; ready ${(faults.outage.recoveredAfterMs / 1000).toFixed(1)} s after it came back`,
  );
  console.log(
    `Dovecot SIGKILLed (burst ${faults.dovecot.burstStoredAtKill}/${o.burstMessages} stored): CONNECTION_IMPOSSIBLE after ` +
      `${(faults.dovecot.firstImpossibleAfterMs / 1000).toFixed(1)}–${(faults.dovecot.lastImpossibleAfterMs / 1000).toFixed(1)} s ` +
      `(window ${faults.dovecot.windowSeconds} s); every source OK ${(faults.dovecot.recoveredAfterMs / 1000).toFixed(1)} s after it came back`,
  );
  console.log(
    report.violations.length === 0 ? 'nothing lost, nothing doubled' : `VIOLATIONS:\n${report.violations.join('\n')}`,
  );
}
