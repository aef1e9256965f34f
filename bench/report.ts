/**
 * What one database's part of `npm run bench` found, and its detailed table
 * (printed as each database finishes). bench/summary.ts puts the databases
 * side by side at the end.
 */
import type { ConnectLatency, FirstLoadJs } from './connect';
import type { ContentBenchResult } from './content';
import type { MessageReadResult } from './messages';
import type { OAuthConnectLatency } from './oauth-connect';

export type DatabaseLabel = 'pglite' | 'postgres';

export interface Result {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  ratio: number;
  non2xx: number;
  /** Responses whose status is not one of the scenario's expectStatus. */
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

export interface DatabaseReport {
  database: DatabaseLabel;
  /** The app server's peak RSS once the API scenarios are done (the load they put on it). */
  serverPeakRssMiB: number | null;
  /** The same at the end of the database's run: message reads, connect flow and content included. */
  serverPeakRssAtEndMiB?: number | null;
  /** The `npm run worker` beside a PostgreSQL app (bench mailbox, content), when one ran. */
  workerPeakRssMiB?: number | null;
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

/** Aligned columns, the first left-aligned text; what both the detail and the summary tables print with. */
export function alignedLines(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)];
}

export function printDatabaseTable(report: DatabaseReport): void {
  const peak = report.serverPeakRssMiB;
  console.log(`\n${report.database}${peak ? ` (server peak RSS ${peak} MiB)` : ''}`);
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
  for (const line of alignedLines(header, rows)) console.log(line);
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
