/**
 * npm run bench — builds and starts the app, then measures endpoints with
 * autocannon as ratios to a trivial route handler (/livez), the two alternating
 * in 2-second rounds so both see the same machine load, on the embedded
 * database and on PostgreSQL, with the app's CPU time per request and its
 * event-loop delay; message reads on 50 × 10,000 messages (bench/messages.ts);
 * then the mailbox sync (bench/sync.ts) against a raw IMAP fetch, with the
 * worker's peak memory. docs/benchmarks.md has the latest figures.
 *
 *   npm run bench -- [--duration 10] [--connections 32] [--filter token] [--build | --no-build]
 *   npm run bench -- --filter live [--mailboxes 500] [--changed 50]   (live mailboxes only: bench/live.ts)
 *
 * PostgreSQL: MAILPORT_BENCH_DATABASE_URL, else a private server started here
 * when PostgreSQL's binaries are installed (scripts/test-postgres.sh).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import {
  type ConnectLatency,
  type FirstLoadJs,
  measureConnectLatency,
  measureFirstLoadJs,
  startBenchDovecot,
} from './connect';
import { benchMessageContent, type ContentBenchResult, printContentBench } from './content';
import { benchLiveMailboxes } from './live';
import { benchMessageReads, type MessageReadResult, printMessageReads } from './messages';
import { type BenchOAuth, measureOAuthConnect, type OAuthConnectLatency, startBenchOAuth } from './oauth-connect';
import { type BenchContext, type Scenario, scenarios } from './scenarios';
import {
  BenchError,
  buildApp,
  createApiKey,
  type LoopDelay,
  type RunningApp,
  root,
  runCleanups,
  startApp,
  startPrivatePostgres,
  startWorker,
} from './server';
import { benchMailboxSync, type SyncBenchResult } from './sync';

const USAGE =
  'usage: npm run bench -- [--duration SECONDS] [--connections N] [--filter SUBSTRING] [--database pglite|postgres] [--pool N] [--build | --no-build] [--mailboxes N] [--changed N]';
const WARM_UP_SECONDS = 2;

interface Options {
  duration: number;
  connections: number;
  filter?: string;
  /** MAILPORT_DB_POOL_SIZE of the PostgreSQL app. */
  pool: number;
  /** Only this database (both when absent). */
  database?: 'pglite' | 'postgres';
  build: 'always' | 'if-stale' | 'never';
  /** Live mailboxes (--filter live): how many, and how many get a new message. */
  mailboxes: number;
  changed: number;
}

interface Result {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ratio: number;
  non2xx: number;
  /** Responses whose status is not the scenario's expectStatus. */
  badStatus: number;
  /** The server's event-loop delay p99 during the run (ms). */
  loopP99: number | null;
  /** The app server's CPU time per request (all its threads; the database server's not included). */
  cpuMsPerRequest: number | null;
  /** Measured rounds (each ROUND_SECONDS long). */
  rounds: number;
  statusCodes: Record<string, number>;
  errors: number;
  target?: string;
}

interface DatabaseReport {
  database: string;
  serverPeakRssMiB: number | null;
  /** Where the server's memory went: peaks of process.memoryUsage() over the run. */
  serverMemoryPeakMiB?: LoopDelay['memoryPeakMiB'];
  results: Result[];
  skipped: { name: string; reason: string }[];
  /** The connect flow's sign-in, submit to redirect, against the local Dovecot. */
  connect?: ConnectLatency;
  /** The OAuth2 connect flow, "Continue with Google" to the partner's callback, against the local stand-ins. */
  oauthConnect?: OAuthConnectLatency;
  firstLoadJs?: FirstLoadJs;
  /** Message content (bench/content.ts); on PostgreSQL a worker process syncs the mailbox. */
  content?: ContentBenchResult;
  /** Message reads one at a time on 50 × 10,000 messages (bench/messages.ts); PostgreSQL only. */
  messageReads?: MessageReadResult[];
}

/** What every database's run shares: the local IMAP server the connect flow signs in to. */
interface Shared {
  dovecot: Awaited<ReturnType<typeof startBenchDovecot>>;
  oauth: BenchOAuth | { reason: string };
}

function positiveInteger(raw: string, flag: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new BenchError(`${flag}: expected a whole number ≥ 1, got "${raw}"`);
  return value;
}

function parseOptions(): Options {
  let values: {
    duration: string;
    connections: string;
    filter?: string;
    database?: string;
    pool: string;
    build?: boolean;
    'no-build'?: boolean;
    mailboxes: string;
    changed: string;
  };
  try {
    ({ values } = parseArgs({
      strict: true,
      options: {
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '32' },
        filter: { type: 'string' },
        database: { type: 'string' },
        pool: { type: 'string', default: '32' },
        build: { type: 'boolean' },
        'no-build': { type: 'boolean' },
        mailboxes: { type: 'string', default: '500' },
        changed: { type: 'string', default: '50' },
      },
    }));
  } catch (error) {
    throw new BenchError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.build && values['no-build'])
    throw new BenchError(`--build and --no-build contradict each other\n${USAGE}`);
  if (values.database !== undefined && values.database !== 'pglite' && values.database !== 'postgres')
    throw new BenchError(`--database: expected pglite or postgres, got "${values.database}"\n${USAGE}`);
  return {
    database: values.database as Options['database'],
    pool: positiveInteger(values.pool, '--pool'),
    duration: positiveInteger(values.duration, '--duration'),
    connections: positiveInteger(values.connections, '--connections'),
    filter: values.filter,
    build: values.build ? 'always' : values['no-build'] ? 'never' : 'if-stale',
    mailboxes: positiveInteger(values.mailboxes, '--mailboxes'),
    changed: positiveInteger(values.changed, '--changed'),
  };
}

/** Seconds per measured round: scenarios and the baseline alternate in rounds this long. */
const ROUND_SECONDS = 2;

/** What one scenario has answered so far, over its rounds. */
interface Meter {
  scenario: Scenario;
  requests: AutocannonRequest[];
  answered: number;
  seconds: number;
  p50s: number[];
  p99s: number[];
  loopP99s: number[];
  cpuSeconds: number | null;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
}

async function prepare(context: BenchContext, scenario: Scenario): Promise<Meter> {
  const state = scenario.setup ? await scenario.setup(context) : undefined;
  const made = scenario.request(context, state);
  return {
    scenario,
    requests: Array.isArray(made) ? made : [made],
    answered: 0,
    seconds: 0,
    p50s: [],
    p99s: [],
    loopP99s: [],
    cpuSeconds: 0,
    statusCodes: {},
    non2xx: 0,
    errors: 0,
  };
}

async function round(app: RunningApp, context: BenchContext, meter: Meter, seconds: number, opts: Options) {
  await app.loopDelay(); // starts the count
  const cpuBefore = app.cpuSeconds();
  const result = await autocannon({
    url: context.baseUrl,
    connections: opts.connections,
    duration: seconds,
    requests: meter.requests,
  });
  // autocannon stops with requests still in the server's queue: let them drain before the next round starts.
  await (await fetch(`${context.baseUrl}/livez`)).body?.cancel();
  const cpuAfter = app.cpuSeconds();
  const loop = await app.loopDelay();
  meter.answered += result.requests.total;
  meter.seconds += result.duration;
  meter.p50s.push(result.latency.p50);
  meter.p99s.push(result.latency.p99);
  if (loop) meter.loopP99s.push(loop.p99);
  meter.cpuSeconds =
    meter.cpuSeconds !== null && cpuBefore !== null && cpuAfter !== null
      ? meter.cpuSeconds + (cpuAfter - cpuBefore)
      : null;
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    meter.statusCodes[status] = (meter.statusCodes[status] ?? 0) + (stats.count ?? 0);
  }
  meter.non2xx += result.non2xx;
  meter.errors += result.errors + result.timeouts;
  return result.requests.total / result.duration;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

function resultOf(meter: Meter, ratio: number): Result {
  const badStatus = Object.entries(meter.statusCodes)
    .filter(([status]) => Number(status) !== meter.scenario.expectStatus)
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    name: meter.scenario.name,
    requestsPerSecond: meter.answered / meter.seconds,
    p50: median(meter.p50s),
    p99: median(meter.p99s),
    ratio,
    non2xx: meter.non2xx,
    badStatus,
    statusCodes: meter.statusCodes,
    errors: meter.errors,
    loopP99: meter.loopP99s.length > 0 ? median(meter.loopP99s) : null,
    cpuMsPerRequest:
      meter.cpuSeconds !== null && meter.answered > 0 ? (meter.cpuSeconds * 1000) / meter.answered : null,
    rounds: meter.p99s.length,
    target: meter.scenario.target,
  };
}

/**
 * A scenario against the baseline on a machine whose load changes by the second
 * (other jobs): the two alternate in short rounds, and the ratio is the
 * scenario's requests per second over the baseline's in the rounds between its
 * own, so both saw the same machine. Latencies are the median of the rounds'.
 */
async function measurePaired(
  app: RunningApp,
  context: BenchContext,
  baseline: Meter,
  scenario: Scenario,
  opts: Options,
): Promise<Result> {
  const meter = await prepare(context, scenario);
  // JIT, caches, connection pools: discarded.
  await autocannon({
    url: context.baseUrl,
    connections: opts.connections,
    duration: WARM_UP_SECONDS,
    requests: meter.requests,
  });
  const rounds = Math.max(1, Math.ceil(opts.duration / ROUND_SECONDS));
  let baselineRate = 0;
  let scenarioRate = 0;
  for (let i = 0; i < rounds; i++) {
    baselineRate += await round(app, context, baseline, ROUND_SECONDS, opts);
    scenarioRate += await round(app, context, meter, ROUND_SECONDS, opts);
  }
  return resultOf(meter, baselineRate > 0 ? scenarioRate / baselineRate : 0);
}

function printTable(report: DatabaseReport): void {
  const peak = report.serverPeakRssMiB;
  console.log(`\n${report.database}${peak ? ` (server peak RSS ${peak} MiB)` : ''}`);
  const memory = report.serverMemoryPeakMiB;
  if (memory) {
    console.log(
      `memory peaks (MiB): V8 heap ${memory.heapUsed} used / ${memory.heapTotal} total, ` +
        `external ${memory.external} (array buffers ${memory.arrayBuffers}), rss ${memory.rss} ` +
        "(the main thread's isolate; the embedded database's thread, its Wasm memory included, only in rss)",
    );
  }
  const header = [
    'scenario',
    'req/s',
    'p50 ms',
    'p99 ms',
    'ratio',
    'CPU ms/req',
    'loop p99 ms',
    'bad status',
    'errors',
    'target',
  ];
  const rows = report.results.map((result) => [
    result.name,
    result.requestsPerSecond.toFixed(0),
    String(result.p50),
    String(result.p99),
    `${result.ratio.toFixed(2)}×`,
    result.cpuMsPerRequest === null ? '?' : result.cpuMsPerRequest.toFixed(2),
    result.loopP99 === null ? '?' : String(result.loopP99),
    String(result.badStatus),
    String(result.errors),
    result.target ?? '',
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const row of rows) console.log(line(row));
  const connect = report.connect;
  if (connect) {
    console.log(
      `connect sign-in, submit to redirect (${connect.samples} samples): p50 ${connect.p50.toFixed(0)} ms, p95 ${connect.p95.toFixed(0)} ms` +
        ` | bare IMAP login p50 ${connect.baselineP50.toFixed(0)} ms, p95 ${connect.baselineP95.toFixed(0)} ms` +
        ` | ratio ${connect.ratioP50.toFixed(2)}× | target ${connect.target}`,
    );
  }
  const oauthConnect = report.oauthConnect;
  if (oauthConnect) {
    console.log(
      `connect via OAuth2, "Continue with Google" to the partner's callback (${oauthConnect.samples} samples): p50 ${oauthConnect.p50.toFixed(0)} ms, p95 ${oauthConnect.p95.toFixed(0)} ms` +
        ` | of which the stand-in provider p50 ${oauthConnect.providerP50.toFixed(0)} ms | target ${oauthConnect.target}`,
    );
  }
  const js = report.firstLoadJs;
  if (js) {
    console.log(
      `connect page first-load JS: ${js.gzippedKiB} KiB gzipped (${js.rawKiB} KiB raw, ${js.scripts} scripts)` +
        ` | framework alone (home page) ${js.frameworkGzippedKiB} KiB | scripts only this page loads: ${js.ownScripts}, ${js.ownGzippedKiB} KiB` +
        ` | target ${js.target}`,
    );
  }
  for (const { name, reason } of report.skipped) console.log(`skipped: ${name} (${reason})`);
}

async function benchDatabase(
  label: string,
  env: Record<string, string>,
  opts: Options,
  shared: Shared,
): Promise<DatabaseReport> {
  const chosen = scenarios.filter(
    (scenario) => scenario.baseline || !opts.filter || scenario.name.includes(opts.filter),
  );
  const app = await startApp(label, { ...env, ...('env' in shared.oauth ? shared.oauth.env : {}) });
  try {
    let credentials: BenchContext['credentials'] = null;
    let keyProblem = '';
    const wantsContent = !opts.filter || 'message content'.includes(opts.filter);
    if (chosen.some((scenario) => scenario.needsKey) || wantsContent) {
      const key = createApiKey(app, `bench-${randomBytes(4).toString('hex')}@example.com`);
      if (key.ok) credentials = { key: key.key, secret: key.secret };
      else {
        keyProblem = `no API key: ${key.reason}`;
        console.warn(`bench: ${label}: keys:create failed (${key.reason}); scenarios that need a key are skipped`);
      }
    }
    const context: BenchContext = { baseUrl: app.baseUrl, credentials, databaseUrl: env.DATABASE_URL || undefined };
    const results: Result[] = [];
    const skipped: DatabaseReport['skipped'] = [];
    const baselineScenario = chosen.find((scenario) => scenario.baseline);
    if (!baselineScenario) throw new BenchError('no baseline scenario');
    const baseline = await prepare(context, baselineScenario);
    await autocannon({
      url: context.baseUrl,
      connections: opts.connections,
      duration: WARM_UP_SECONDS,
      requests: baseline.requests,
    });
    console.log(`  ${label}: ${baselineScenario.name}…`);
    await round(app, context, baseline, ROUND_SECONDS, opts);
    for (const scenario of chosen) {
      if (scenario.baseline) continue;
      if (scenario.needsKey && !credentials) {
        skipped.push({ name: scenario.name, reason: keyProblem });
        continue;
      }
      if (scenario.needsPostgres && !context.databaseUrl) {
        skipped.push({ name: scenario.name, reason: 'PostgreSQL only' });
        continue;
      }
      console.log(`  ${label}: ${scenario.name}…`);
      try {
        results.push(await measurePaired(app, context, baseline, scenario, opts));
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        console.warn(`bench: ${label}: ${scenario.name} failed (${reason})`);
        skipped.push({ name: scenario.name, reason: reason ?? 'failed' });
      }
    }
    if (!baseline.answered) throw new BenchError(`${label}: the baseline answered no requests`);
    const baselineResult = resultOf(baseline, 1);
    if (baselineResult.badStatus || baselineResult.errors) {
      console.warn(
        `bench: ${label}: the baseline had ${baselineResult.badStatus} bad statuses and ${baselineResult.errors} errors`,
      );
    }
    results.unshift(baselineResult);
    const report: DatabaseReport = {
      database: label,
      serverPeakRssMiB: app.peakRssMiB(),
      serverMemoryPeakMiB: (await app.loopDelay())?.memoryPeakMiB,
      results,
      skipped,
    };
    const wantsReads = !opts.filter || 'message reads'.includes(opts.filter) || opts.filter.startsWith('message');
    if (context.databaseUrl && credentials && wantsReads) {
      try {
        report.messageReads = await benchMessageReads(context);
      } catch (error) {
        report.skipped.push({ name: 'message reads', reason: error instanceof Error ? error.message : String(error) });
      }
    }
    if (!opts.filter || 'connect'.includes(opts.filter)) await benchConnect(report, context, shared);
    if (wantsContent && credentials) {
      console.log(`  ${label}: message content…`);
      // The embedded app works the queue itself; a PostgreSQL app needs a worker to sync the mailbox.
      const worker = label === 'pglite' ? null : await startWorker(app);
      try {
        report.content = await benchMessageContent(context);
      } catch (error) {
        report.skipped.push({
          name: 'message content',
          reason: error instanceof Error ? error.message : String(error),
        });
      } finally {
        await worker?.stop();
      }
    }
    printTable(report);
    if (report.messageReads) printMessageReads(report.messageReads);
    if (report.content) printContentBench(report.content);
    return report;
  } finally {
    await app.stop();
  }
}

async function benchConnect(report: DatabaseReport, context: BenchContext, shared: Shared): Promise<void> {
  const failed = (name: string, error: unknown) =>
    report.skipped.push({
      name,
      reason: error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error),
    });
  if (!context.credentials) return;
  console.log(`  ${report.database}: connect flow…`);
  if ('reason' in shared.dovecot) failed('connect sign-in latency', `no local Dovecot: ${shared.dovecot.reason}`);
  else {
    try {
      report.connect = await measureConnectLatency(context, shared.dovecot);
    } catch (error) {
      failed('connect sign-in latency', error);
    }
  }
  if ('reason' in shared.oauth) failed('OAuth connect latency', `no OAuth stand-ins: ${shared.oauth.reason}`);
  else {
    try {
      report.oauthConnect = await measureOAuthConnect(context, shared.oauth);
    } catch (error) {
      failed('OAuth connect latency', error);
    }
  }
  try {
    report.firstLoadJs = await measureFirstLoadJs(context);
  } catch (error) {
    failed('connect page first-load JS', error);
  }
}

/** --filter live: the live mailboxes alone (no app, no build): two workers on PostgreSQL and a Dovecot. */
async function mainLive(opts: Options): Promise<void> {
  let postgresUrl = process.env.MAILPORT_BENCH_DATABASE_URL;
  let stopPostgres = () => {};
  if (!postgresUrl) {
    const started = await startPrivatePostgres();
    if (!('url' in started)) throw new BenchError(`live mailboxes need PostgreSQL (${started.reason})`);
    ({ url: postgresUrl, stop: stopPostgres } = started);
  }
  try {
    const liveMailboxes = await benchLiveMailboxes(postgresUrl, {
      mailboxes: opts.mailboxes,
      changed: Math.min(opts.changed, opts.mailboxes),
    });
    const dir = path.join(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'live.json');
    writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), liveMailboxes }, null, 2)}\n`);
    console.log(`\nresults written to ${path.relative(root, file)}`);
  } finally {
    stopPostgres();
  }
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (opts.filter && 'live mailboxes'.startsWith(opts.filter) && opts.filter.length >= 4) return mainLive(opts);
  buildApp(opts.build);
  const dovecot = await startBenchDovecot();
  // The fixture also kills its Dovecot on process exit (Ctrl-C included).
  const oauth = await startBenchOAuth();
  const shared: Shared = { dovecot, oauth };
  const reports: DatabaseReport[] =
    opts.database === 'postgres' ? [] : [await benchDatabase('pglite', {}, opts, shared)];

  let mailboxSync: SyncBenchResult[] | null = null;
  let postgresUrl = process.env.MAILPORT_BENCH_DATABASE_URL;
  let stopPostgres = () => {};
  if (!postgresUrl && opts.database !== 'pglite') {
    const started = await startPrivatePostgres();
    if ('url' in started) ({ url: postgresUrl, stop: stopPostgres } = started);
    else console.warn(`bench: no PostgreSQL (${started.reason}); set MAILPORT_BENCH_DATABASE_URL to measure it`);
  }
  try {
    if (postgresUrl && opts.database !== 'pglite') {
      const postgresEnv = {
        DATABASE_URL: postgresUrl,
        MAILPORT_MASTER_KEY: randomBytes(32).toString('hex'),
        MAILPORT_DB_POOL_SIZE: String(opts.pool),
      };
      reports.push(await benchDatabase('postgres', postgresEnv, opts, shared));
      if (!opts.filter || 'mailbox sync'.includes(opts.filter)) {
        try {
          mailboxSync = await benchMailboxSync(postgresUrl);
        } catch (error) {
          console.warn(`bench: mailbox sync skipped (${error instanceof Error ? error.message : String(error)})`);
        }
      }
    }
  } finally {
    stopPostgres();
  }

  const dir = path.join(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'latest.json');
  const output = {
    at: new Date().toISOString(),
    connections: opts.connections,
    duration: opts.duration,
    report: reports,
    mailboxSync,
  };
  writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
  if ('stop' in dovecot) await dovecot.stop();
  if ('stop' in oauth) await oauth.stop();
  console.log(`\nresults written to ${path.relative(root, file)}`);
}

for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    console.error(`\nbench: interrupted (${signal}); stopping the app`);
    runCleanups();
    process.exit(code);
  });
}
process.once('exit', runCleanups);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof BenchError) console.error(`bench: ${error.message}`);
    else console.error('bench: unexpected failure:', error);
    process.exit(1);
  },
);
