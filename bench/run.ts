/**
 * npm run bench — builds and starts the app, then measures every /2.0 route
 * (bench/scenarios.ts, bench/endpoints.ts) with autocannon as ratios to a
 * trivial route handler (/livez), the two alternating in 2-second rounds so
 * both see the same machine load, on the embedded database and on PostgreSQL,
 * with the app's CPU time per request and its event-loop delay; message reads
 * on 50 × 10,000 messages (bench/messages.ts); the connect flow; message
 * content; then the mailbox sync (bench/sync.ts) against a raw IMAP fetch, with
 * the worker's peak memory. It ends with one summary table of it all, both
 * databases side by side (bench/summary.ts), also written to
 * bench/results/latest.{json,md}. docs/benchmarks.md has the latest figures.
 *
 *   npm run bench -- [--duration 10] [--connections 32] [--filter token] [--build | --no-build]
 *   npm run bench -- --filter live [--mailboxes 500] [--changed 50]   (live mailboxes only: bench/live.ts)
 *   npm run bench -- --filter load [--short]   (load and faults only: bench/load.ts, its own PostgreSQL)
 *
 * PostgreSQL: MAILPORT_BENCH_DATABASE_URL, else a private server started here
 * when PostgreSQL's binaries are installed (scripts/test-postgres.sh).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchContext, Scenario } from './client';
import { measureConnectLatency, measureFirstLoadJs, startBenchDovecot } from './connect';
import { benchMessageContent, printContentBench } from './content';
import { routeCoverage } from './endpoints';
import { benchLiveMailboxes } from './live';
import { FULL_LOAD, printLoadReport, runLoad, SHORT_LOAD } from './load';
import { type BenchMailbox, connectBenchMailbox } from './mailbox';
import { benchMessageReads, printMessageReads } from './messages';
import { type BenchOAuth, measureOAuthConnect, startBenchOAuth } from './oauth-connect';
import { measurePaired, prepare, ROUND_SECONDS, resultOf, round, warmUp } from './paired';
import { type DatabaseLabel, type DatabaseReport, printDatabaseTable, type Result } from './report';
import { scenarios } from './scenarios';
import {
  BenchError,
  buildApp,
  createApiKey,
  peakRssMiB,
  type RunningWorker,
  root,
  runCleanups,
  startApp,
  startPrivatePostgres,
  startWorker,
} from './server';
import { buildSummary, latestElsewhere, renderText, type SummaryInput, writeResults } from './summary';
import { benchMailboxSync, type SyncBenchResult } from './sync';

const USAGE =
  'usage: npm run bench -- [--duration SECONDS] [--connections N] [--filter SUBSTRING] [--database pglite|postgres] [--pool N] [--build | --no-build] [--mailboxes N] [--changed N] [--short]';
const RESULTS_DIR = path.join(root, 'bench/results');

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
  /** --filter load: the short variant (the test suite's) instead of the full one. */
  short: boolean;
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
    short?: boolean;
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
        short: { type: 'boolean' },
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
    short: values.short ?? false,
  };
}

/** The scenarios --filter chooses (a substring of the name; the baseline always runs), in order. */
function chooseScenarios(opts: Options): Scenario<unknown>[] {
  return scenarios.filter((scenario) => scenario.baseline || !opts.filter || scenario.name.includes(opts.filter));
}

async function benchDatabase(
  label: DatabaseLabel,
  env: Record<string, string>,
  opts: Options,
  shared: Shared,
): Promise<DatabaseReport> {
  const chosen = chooseScenarios(opts);
  const app = await startApp(label, { ...env, ...('env' in shared.oauth ? shared.oauth.env : {}) });
  // The embedded app works the queue itself; a PostgreSQL app needs a worker to sync a mailbox.
  let worker: RunningWorker | null = null;
  const ensureWorker = async () => {
    if (label !== 'pglite' && !worker) worker = await startWorker(app);
  };
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
    const dovecot = shared.dovecot;
    let mailbox: Promise<BenchMailbox> | undefined;
    if (!('reason' in dovecot)) {
      // Connected on first use, once: a failure is every mailbox scenario's reason to be skipped.
      context.mailbox = () => {
        mailbox ??= (async () => {
          console.log(`  ${label}: connecting the bench mailbox…`);
          await ensureWorker();
          return connectBenchMailbox(context, dovecot);
        })();
        return mailbox;
      };
    }
    const results: Result[] = [];
    const skipped: DatabaseReport['skipped'] = [];
    const baselineScenario = chosen.find((scenario) => scenario.baseline);
    if (!baselineScenario) throw new BenchError('no baseline scenario');
    const baseline = await prepare(context, baselineScenario);
    await warmUp(context, baseline, opts);
    console.log(`  ${label}: ${baselineScenario.name}…`);
    await round(app, context, baseline, ROUND_SECONDS, opts);
    for (const scenario of chosen) {
      if (scenario.baseline) continue;
      const cannot =
        scenario.needsKey && !credentials
          ? keyProblem
          : scenario.needsPostgres && !context.databaseUrl
            ? 'PostgreSQL only'
            : scenario.needsMailbox && 'reason' in dovecot
              ? `no local Dovecot for the bench mailbox: ${dovecot.reason}`
              : null;
      if (cannot !== null) {
        skipped.push({ name: scenario.name, reason: cannot });
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
    const report: DatabaseReport = { database: label, serverPeakRssMiB: app.peakRssMiB(), results, skipped };
    // Where the resident memory goes: the main thread's V8 heap (the embedded database has a thread of its own).
    const memory = (await app.loopDelay())?.memoryPeakMiB;
    if (memory) {
      console.log(
        `${label}: memory peaks of the app's main thread (MiB): ${Object.entries(memory)
          .map(([kind, mib]) => `${kind} ${mib}`)
          .join(', ')}`,
      );
    }
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
      try {
        await ensureWorker();
        report.content = await benchMessageContent(context);
      } catch (error) {
        report.skipped.push({
          name: 'message content',
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    report.serverPeakRssAtEndMiB = app.peakRssMiB();
    const running = worker as RunningWorker | null;
    if (running) report.workerPeakRssMiB = peakRssMiB(running.pid);
    printDatabaseTable(report);
    if (report.messageReads) printMessageReads(report.messageReads);
    if (report.content) printContentBench(report.content);
    return report;
  } finally {
    await (worker as RunningWorker | null)?.stop();
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
  const loadAverage = os.loadavg()[0] ?? 0;
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
    finish(
      'live',
      { liveMailboxes },
      {
        settings: `--filter live: ${opts.mailboxes} mailboxes, ${Math.min(opts.changed, opts.mailboxes)} changed; ${machineLine(loadAverage)}`,
        live: liveMailboxes,
      },
    );
  } finally {
    stopPostgres();
  }
}

/** --filter load: two instances and two workers under load and faults (bench/load.ts), on a private PostgreSQL. */
async function mainLoad(opts: Options): Promise<void> {
  buildApp(opts.build);
  const loadAverage = os.loadavg()[0] ?? 0;
  const startedAt = Date.now();
  const cpuBefore = process.cpuUsage();
  const report = await runLoad(opts.short ? SHORT_LOAD : FULL_LOAD);
  printLoadReport(report);
  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? '?',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
  const cpu = process.cpuUsage(cpuBefore);
  finish(
    'load',
    {
      wallSeconds: (Date.now() - startedAt) / 1000,
      benchProcessCpuSeconds: (cpu.user + cpu.system) / 1e6,
      machine,
      report,
    },
    { settings: `--filter load${opts.short ? ' --short' : ''}; ${machineLine(loadAverage)}`, load: report },
  );
  if (report.violations.length > 0) throw new BenchError(`${report.violations.length} broken promises (above)`);
}

/** "2 cores, load average 5.2 → 7.9": how busy the machine was, for whoever reads the figures. */
function machineLine(loadAverageAtStart: number): string {
  const now = os.loadavg()[0] ?? 0;
  return `${os.availableParallelism()} cores, load average ${loadAverageAtStart.toFixed(1)} → ${now.toFixed(1)}`;
}

/** The run's one summary table: printed, and written beside the run's details in bench/results/<name>.{json,md}. */
function finish(
  name: 'latest' | 'live' | 'load',
  details: Record<string, unknown>,
  input: Partial<SummaryInput> & Pick<SummaryInput, 'settings'>,
): void {
  const summary = buildSummary({
    at: new Date(),
    scenarios: [],
    allScenarios: false,
    reports: [],
    elsewhere: { live: latestElsewhere(RESULTS_DIR, 'live'), load: latestElsewhere(RESULTS_DIR, 'load') },
    ...input,
  });
  console.log(`\n${renderText(summary)}`);
  const written = writeResults(RESULTS_DIR, name, details, summary);
  console.log(`results written to ${written.map((file) => path.relative(root, file)).join(' and ')}`);
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (opts.filter === 'load') return mainLoad(opts);
  if (opts.filter && 'live mailboxes'.startsWith(opts.filter) && opts.filter.length >= 4) return mainLive(opts);
  const coverage = routeCoverage(scenarios);
  if (coverage.missing.length > 0) {
    console.warn(`bench: no scenario measures ${coverage.missing.join(', ')} (bench/endpoints.ts)`);
  }
  buildApp(opts.build);
  const loadAverage = os.loadavg()[0] ?? 0;
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
  if ('stop' in dovecot) await dovecot.stop();
  if ('stop' in oauth) await oauth.stop();

  const rounds = Math.max(1, Math.ceil(opts.duration / ROUND_SECONDS));
  finish(
    'latest',
    { connections: opts.connections, duration: opts.duration, report: reports, mailboxSync },
    {
      settings:
        `${opts.connections} connections, ${rounds} paired ${ROUND_SECONDS}-second round${rounds === 1 ? '' : 's'} per scenario` +
        `${opts.filter ? `, --filter ${opts.filter}` : ''}; ${machineLine(loadAverage)}`,
      scenarios: chooseScenarios(opts),
      allScenarios: !opts.filter,
      reports,
      mailboxSync,
    },
  );
  const doubtful = reports.flatMap((report) =>
    report.results
      .filter((result) => result.badStatus > 0 || result.errors > 0)
      .map((result) => `${report.database}: ${result.name}`),
  );
  if (doubtful.length > 0) console.warn(`bench: unexpected statuses or errors in ${doubtful.join('; ')}`);
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
