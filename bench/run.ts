/**
 * npm run bench — builds and starts the app, then measures endpoints with
 * autocannon as ratios to a trivial route handler (/livez) measured in the
 * same run, on the embedded database and on PostgreSQL; then the mailbox sync
 * (bench/sync.ts) against a raw IMAP fetch, with the worker's peak memory.
 *
 *   npm run bench -- [--duration 10] [--connections 32] [--filter token] [--build | --no-build]
 *
 * PostgreSQL: MAILPORT_BENCH_DATABASE_URL, else a private server started here
 * when PostgreSQL's binaries are installed (scripts/test-postgres.sh).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import {
  type ConnectLatency,
  type FirstLoadJs,
  measureConnectLatency,
  measureFirstLoadJs,
  startBenchDovecot,
} from './connect';
import { benchMessageContent, type ContentBenchResult, printContentBench } from './content';
import { type BenchOAuth, measureOAuthConnect, type OAuthConnectLatency, startBenchOAuth } from './oauth-connect';
import { type BenchContext, type Scenario, scenarios } from './scenarios';
import {
  BenchError,
  buildApp,
  createApiKey,
  root,
  runCleanups,
  startApp,
  startPrivatePostgres,
  startWorker,
} from './server';
import { benchMailboxSync, type SyncBenchResult } from './sync';

const USAGE =
  'usage: npm run bench -- [--duration SECONDS] [--connections N] [--filter SUBSTRING] [--build | --no-build]';
const WARM_UP_SECONDS = 2;

interface Options {
  duration: number;
  connections: number;
  filter?: string;
  build: 'always' | 'if-stale' | 'never';
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
  statusCodes: Record<string, number>;
  errors: number;
  target?: string;
}

interface DatabaseReport {
  database: string;
  serverPeakRssMiB: number | null;
  results: Result[];
  skipped: { name: string; reason: string }[];
  /** The connect flow's sign-in, submit to redirect, against the local Dovecot. */
  connect?: ConnectLatency;
  /** The OAuth2 connect flow, "Continue with Google" to the partner's callback, against the local stand-ins. */
  oauthConnect?: OAuthConnectLatency;
  firstLoadJs?: FirstLoadJs;
  /** Message content (bench/content.ts); on PostgreSQL a worker process syncs the mailbox. */
  content?: ContentBenchResult;
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
  let values: { duration: string; connections: string; filter?: string; build?: boolean; 'no-build'?: boolean };
  try {
    ({ values } = parseArgs({
      strict: true,
      options: {
        duration: { type: 'string', default: '10' },
        connections: { type: 'string', default: '32' },
        filter: { type: 'string' },
        build: { type: 'boolean' },
        'no-build': { type: 'boolean' },
      },
    }));
  } catch (error) {
    throw new BenchError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.build && values['no-build'])
    throw new BenchError(`--build and --no-build contradict each other\n${USAGE}`);
  return {
    duration: positiveInteger(values.duration, '--duration'),
    connections: positiveInteger(values.connections, '--connections'),
    filter: values.filter,
    build: values.build ? 'always' : values['no-build'] ? 'never' : 'if-stale',
  };
}

async function measure(context: BenchContext, scenario: Scenario, opts: Options): Promise<Omit<Result, 'ratio'>> {
  const state = scenario.setup ? await scenario.setup(context) : undefined;
  const made = scenario.request(context, state);
  const requests = Array.isArray(made) ? made : [made];
  const run = (duration: number) =>
    autocannon({ url: context.baseUrl, connections: opts.connections, duration, requests });
  await run(WARM_UP_SECONDS); // JIT, caches, connection pools: discarded
  const result = await run(opts.duration);
  const statusCodes = Object.fromEntries(
    Object.entries(result.statusCodeStats ?? {}).map(([status, stats]) => [status, stats.count ?? 0]),
  );
  const badStatus = Object.entries(statusCodes)
    .filter(([status]) => Number(status) !== scenario.expectStatus)
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    name: scenario.name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    badStatus,
    statusCodes,
    errors: result.errors + result.timeouts,
    target: scenario.target,
  };
}

function printTable(report: DatabaseReport): void {
  const peak = report.serverPeakRssMiB;
  console.log(`\n${report.database}${peak ? ` (server peak RSS ${peak} MiB)` : ''}`);
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'bad status', 'errors', 'target'];
  const rows = report.results.map((result) => [
    result.name,
    result.requestsPerSecond.toFixed(0),
    String(result.p50),
    String(result.p99),
    `${result.ratio.toFixed(2)}×`,
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
    const context: BenchContext = { baseUrl: app.baseUrl, credentials };
    const measured: Awaited<ReturnType<typeof measure>>[] = [];
    const skipped: DatabaseReport['skipped'] = [];
    for (const scenario of chosen) {
      if (scenario.needsKey && !credentials) {
        skipped.push({ name: scenario.name, reason: keyProblem });
        continue;
      }
      console.log(`  ${label}: ${scenario.name}…`);
      try {
        measured.push(await measure(context, scenario, opts));
      } catch (error) {
        // The baseline is the yardstick; without it the ratios mean nothing.
        if (scenario.baseline) throw error;
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        console.warn(`bench: ${label}: ${scenario.name} failed (${reason})`);
        skipped.push({ name: scenario.name, reason: reason ?? 'failed' });
      }
    }
    const baseline = measured.find((result) => chosen.find((scenario) => scenario.name === result.name)?.baseline);
    if (!baseline?.requestsPerSecond) throw new BenchError(`${label}: the baseline answered no requests`);
    if (baseline.badStatus || baseline.errors) {
      console.warn(
        `bench: ${label}: the baseline had ${baseline.badStatus} bad statuses and ${baseline.errors} errors`,
      );
    }
    const results = measured.map((result) => ({
      ...result,
      ratio: result.requestsPerSecond / baseline.requestsPerSecond,
    }));
    const report: DatabaseReport = { database: label, serverPeakRssMiB: app.peakRssMiB(), results, skipped };
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

async function main(): Promise<void> {
  const opts = parseOptions();
  buildApp(opts.build);
  const dovecot = await startBenchDovecot();
  // The fixture also kills its Dovecot on process exit (Ctrl-C included).
  const oauth = await startBenchOAuth();
  const shared: Shared = { dovecot, oauth };
  const reports: DatabaseReport[] = [await benchDatabase('pglite', {}, opts, shared)];

  let mailboxSync: SyncBenchResult[] | null = null;
  let postgresUrl = process.env.MAILPORT_BENCH_DATABASE_URL;
  let stopPostgres = () => {};
  if (!postgresUrl) {
    const started = await startPrivatePostgres();
    if ('url' in started) ({ url: postgresUrl, stop: stopPostgres } = started);
    else console.warn(`bench: no PostgreSQL (${started.reason}); set MAILPORT_BENCH_DATABASE_URL to measure it`);
  }
  try {
    if (postgresUrl) {
      const postgresEnv = {
        DATABASE_URL: postgresUrl,
        MAILPORT_MASTER_KEY: randomBytes(32).toString('hex'),
        MAILPORT_DB_POOL_SIZE: '32',
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
