/**
 * The one table `npm run bench` ends with (issue 16, item 5): every endpoint and
 * flow the run measured, both databases side by side, and memory; the opt-in
 * runs (live mailboxes, load) as rows when they ran, else a pointer to their
 * latest figures. Printed, and written to bench/results/ as JSON and Markdown
 * (docs/benchmarks.md quotes the Markdown).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Scenario } from './client';
import { NOT_MEASURED } from './endpoints';
import type { LiveBenchResult } from './live';
import type { LoadReport } from './load';
import { alignedLines, type DatabaseLabel, type DatabaseReport } from './report';
import type { SyncBenchResult } from './sync';

export const DATABASE_TITLES: Record<DatabaseLabel, string> = { pglite: 'PGlite', postgres: 'PostgreSQL' };

/** One database's figures in a row; what a row does not measure stays undefined. */
export interface SummaryCell {
  /** In the row's unit. */
  value?: number;
  p50?: number;
  p99?: number;
  /** To the row's yardstick: GET /livez for the API, a raw imapflow fetch or download for sync and content. */
  ratio?: number;
  cpuMsPerRequest?: number;
}

export interface SummaryRow {
  area: string;
  name: string;
  /** The unit of `value`. */
  unit: string;
  cells: Partial<Record<DatabaseLabel, SummaryCell>>;
  /** Per database: why its cell is empty, or what makes its figure doubtful (unexpected statuses). */
  remarks?: Partial<Record<DatabaseLabel, string>>;
  note?: string;
}

export interface Summary {
  at: string;
  /** How the run was made, one line. */
  settings: string;
  databases: DatabaseLabel[];
  rows: SummaryRow[];
}

/** Where an opt-in run's latest figures are, when it did not run this time. */
export interface LatestElsewhere {
  command: string;
  file: string;
  /** When that file was written; undefined when it does not exist. */
  at?: string;
}

export interface SummaryInput {
  at: Date;
  settings: string;
  /** The scenarios this run chose, in order (the API rows' order). */
  scenarios: readonly Scenario<unknown>[];
  /** Whether every scenario was chosen (no --filter): then the routes no scenario measures are listed too. */
  allScenarios: boolean;
  reports: DatabaseReport[];
  mailboxSync?: SyncBenchResult[] | null;
  live?: LiveBenchResult;
  load?: LoadReport;
  elsewhere: { live: LatestElsewhere; load: LatestElsewhere };
}

const API_AREA = 'API endpoints (autocannon; × = ratio to GET /livez in paired rounds)';

function apiRows(input: SummaryInput): SummaryRow[] {
  const rows = input.scenarios.map((scenario): SummaryRow => {
    const row: SummaryRow = { area: API_AREA, name: scenario.name, unit: 'req/s', cells: {}, remarks: {} };
    const note = [scenario.note, scenario.target && `target ${scenario.target}`].filter(Boolean).join('; ');
    if (note) row.note = note;
    for (const report of input.reports) {
      const result = report.results.find((candidate) => candidate.name === scenario.name);
      const skipped = report.skipped.find((candidate) => candidate.name === scenario.name);
      if (result) {
        row.cells[report.database] = {
          value: result.requestsPerSecond,
          p50: result.p50,
          p99: result.p99,
          ratio: result.ratio,
          ...(result.cpuMsPerRequest !== null && { cpuMsPerRequest: result.cpuMsPerRequest }),
        };
        if (result.badStatus > 0 || result.errors > 0) {
          const statuses = Object.entries(result.statusCodes)
            .map(([status, count]) => `${count}× ${status}`)
            .join(', ');
          row.remarks = {
            ...row.remarks,
            [report.database]: `${result.badStatus} unexpected statuses, ${result.errors} errors (${statuses})`,
          };
        }
      } else if (skipped) {
        row.remarks = { ...row.remarks, [report.database]: `skipped: ${skipped.reason}` };
      }
    }
    return row;
  });
  if (input.allScenarios) {
    for (const [route, reason] of Object.entries(NOT_MEASURED)) {
      rows.push({ area: API_AREA, name: route, unit: '', cells: {}, note: `not measured: ${reason}` });
    }
  }
  return rows;
}

/** A row per database-specific figure, made by `pick` from each report that has it. */
function perDatabase(
  reports: DatabaseReport[],
  base: Omit<SummaryRow, 'cells'>,
  pick: (report: DatabaseReport) => SummaryCell | undefined,
): SummaryRow[] {
  const cells: SummaryRow['cells'] = {};
  for (const report of reports) {
    const cell = pick(report);
    if (cell) cells[report.database] = cell;
  }
  return Object.keys(cells).length > 0 ? [{ ...base, cells }] : [];
}

function flowRows(input: SummaryInput): SummaryRow[] {
  const { reports } = input;
  const connect = 'connect flow';
  const reads = 'message reads, one at a time (PostgreSQL: 50 accounts × 10,000 messages)';
  const content = 'message content (a 200-message mailbox on the local Dovecot)';
  const readNames = [...new Set(reports.flatMap((report) => (report.messageReads ?? []).map((read) => read.name)))];
  return [
    ...perDatabase(
      reports,
      {
        area: connect,
        name: 'password sign-in: submit → 303 to the partner',
        unit: 'ms',
        note: 'local Dovecot; target p95 ≤ 300 ms',
      },
      (report) => report.connect && { p50: report.connect.p50, p99: report.connect.p99 },
    ),
    ...perDatabase(
      reports,
      { area: connect, name: 'bare IMAP login to the same Dovecot (yardstick)', unit: 'ms' },
      (report) => report.connect && { p50: report.connect.baselineP50, p99: report.connect.baselineP99 },
    ),
    ...perDatabase(
      reports,
      {
        area: connect,
        name: 'OAuth2: "Continue with Google" → 303 to the partner',
        unit: 'ms',
        note: 'local stand-in provider and Dovecot',
      },
      (report) => report.oauthConnect && { p50: report.oauthConnect.p50, p99: report.oauthConnect.p99 },
    ),
    ...perDatabase(
      reports,
      { area: connect, name: 'of which the stand-in provider', unit: 'ms' },
      (report) => report.oauthConnect && { p50: report.oauthConnect.providerP50 },
    ),
    ...perDatabase(
      reports,
      { area: connect, name: 'connect page first-load JavaScript, gzipped', unit: 'KiB', note: 'target ≤ 100 KB' },
      (report) => report.firstLoadJs && { value: report.firstLoadJs.gzippedKiB },
    ),
    ...readNames.flatMap((name) =>
      perDatabase(
        reports,
        {
          area: reads,
          name,
          unit: 'ms',
          ...(name.startsWith('baseline') ? {} : { note: 'target p50 ≤ 50, p99 ≤ 150' }),
        },
        (report) => {
          const read = report.messageReads?.find((candidate) => candidate.name === name);
          return read && { p50: read.p50, p99: read.p99 };
        },
      ),
    ),
    ...perDatabase(
      reports,
      { area: content, name: 'GET …/messages/:id/body, cold (first read: Dovecot)', unit: 'ms' },
      (report) => report.content && { p50: report.content.cold.p50, p99: report.content.cold.p99 },
    ),
    ...perDatabase(
      reports,
      { area: content, name: 'GET …/messages/:id/body, warm (the content cache)', unit: 'ms' },
      (report) => report.content && { p50: report.content.warm.p50, p99: report.content.warm.p99 },
    ),
    ...perDatabase(
      reports,
      { area: content, name: '8 MiB attachment: GET …/files/:id/content', unit: 'MiB/s', note: 'median of 5' },
      (report) =>
        report.content && { value: report.content.attachment.apiMiBps, ratio: report.content.attachment.ratio },
    ),
    ...perDatabase(
      reports,
      { area: content, name: 'the same part by a raw imapflow download() (yardstick)', unit: 'MiB/s' },
      (report) => report.content && { value: report.content.attachment.rawMiBps },
    ),
  ];
}

function syncRows(input: SummaryInput): SummaryRow[] {
  const area = 'initial sync (npm run worker on PostgreSQL, local Dovecot)';
  return (input.mailboxSync ?? []).flatMap((result): SummaryRow[] => {
    const count = result.messages.toLocaleString('en');
    return [
      {
        area,
        name: `${count} messages`,
        unit: 'msg/s',
        cells: { postgres: { value: result.syncMessagesPerSecond, ratio: result.ratio } },
        ...(result.messages === 10_000 && { note: 'target ≥ 0.7×' }),
        ...(result.messages > 10_000 && {
          note: `${(result.messages / result.syncMessagesPerSecond).toFixed(1)} s in all`,
        }),
      },
      {
        area,
        name: `${count} messages, raw imapflow fetch (yardstick)`,
        unit: 'msg/s',
        cells: { postgres: { value: result.rawMessagesPerSecond } },
      },
    ];
  });
}

function memoryRows(input: SummaryInput): SummaryRow[] {
  const area = 'memory (peak RSS)';
  const { reports } = input;
  const workerRemarks: SummaryRow['remarks'] = {};
  for (const report of reports) {
    if (report.database === 'pglite') workerRemarks.pglite = 'no worker: the embedded app works the queue itself';
  }
  return [
    ...perDatabase(reports, { area, name: 'app server, after the API scenarios', unit: 'MiB' }, (report) =>
      report.serverPeakRssMiB ? { value: report.serverPeakRssMiB } : undefined,
    ),
    ...perDatabase(
      reports,
      { area, name: 'app server, whole run (reads, connect flow, content too)', unit: 'MiB' },
      (report) => (report.serverPeakRssAtEndMiB ? { value: report.serverPeakRssAtEndMiB } : undefined),
    ),
    ...perDatabase(
      reports,
      { area, name: 'worker beside the app (bench mailbox, content)', unit: 'MiB', remarks: workerRemarks },
      (report) => (report.workerPeakRssMiB ? { value: report.workerPeakRssMiB } : undefined),
    ),
    ...(input.mailboxSync ?? []).flatMap((result): SummaryRow[] =>
      result.workerPeakRssMiB
        ? [
            {
              area,
              name: `worker, initial sync of ${result.messages.toLocaleString('en')} messages`,
              unit: 'MiB',
              cells: { postgres: { value: result.workerPeakRssMiB } },
            },
          ]
        : [],
    ),
  ];
}

function pointer(area: string, elsewhere: LatestElsewhere): SummaryRow {
  const latest = elsewhere.at ? `latest figures: ${elsewhere.file} (${elsewhere.at})` : `none yet in ${elsewhere.file}`;
  return { area, name: `not in this run (opt-in: ${elsewhere.command})`, unit: '', cells: {}, note: latest };
}

function liveRows(input: SummaryInput): SummaryRow[] {
  const area = 'live mailboxes (two workers on PostgreSQL)';
  const live = input.live;
  if (!live) return [pointer(area, input.elsewhere.live)];
  const of = `${live.changed} of ${live.mailboxes} mailboxes`;
  return [
    {
      area,
      name: `delivered → readable by the API (${of})`,
      unit: 'ms',
      cells: { postgres: { p50: live.appendToVisibleP50Ms } },
      note: `p95 ${live.appendToVisibleP95Ms} ms, max ${live.appendToVisibleMaxMs} ms`,
    },
    {
      area,
      name: `delivered → webhook POST received (${of})`,
      unit: 'ms',
      cells: { postgres: { p50: live.appendToWebhookP50Ms } },
      note: `p95 ${live.appendToWebhookP95Ms} ms, max ${live.appendToWebhookMaxMs} ms`,
    },
    {
      area,
      name: 'workers’ memory per live mailbox',
      unit: 'KiB',
      cells: { postgres: { value: live.rssPerLiveMailboxKiB } },
      note: `${live.idleWorkersRssMiB} MiB idle, ${live.liveWorkersRssMiB} MiB live (both workers)`,
    },
    {
      area,
      name: 'a worker SIGKILLed: the other holds every source after',
      unit: 'ms',
      cells: { postgres: { value: live.takeoverMs } },
      note: `lease ${live.leaseSeconds} s`,
    },
  ];
}

function loadRows(input: SummaryInput): SummaryRow[] {
  const area = 'load and faults (2 instances, 2 workers, PostgreSQL)';
  const load = input.load;
  if (!load) return [pointer(area, input.elsewhere.load)];
  return [
    {
      area,
      name: `token creations from ${load.options.clients} clients while instances, workers, PostgreSQL and Dovecot fail`,
      unit: 'req/s',
      cells: { postgres: { value: load.creations.perSecond, p50: load.creations.p50Ms, p99: load.creations.p99Ms } },
      note: `${load.creations.acknowledged} of ${load.creations.attempted} acknowledged`,
    },
    {
      area,
      name: 'delivered → stored, under load',
      unit: 'ms',
      cells: { postgres: { p50: load.mail.deliveryToStoredP50Ms } },
      note: `p95 ${load.mail.deliveryToStoredP95Ms} ms`,
    },
    {
      area,
      name: 'broken promises (lost or doubled)',
      unit: 'count',
      cells: { postgres: { value: load.violations.length } },
    },
    ...(load.peakRssMiB.apps
      ? [{ area, name: 'app instances, peak RSS', unit: 'MiB', cells: { postgres: { value: load.peakRssMiB.apps } } }]
      : []),
  ];
}

export function buildSummary(input: SummaryInput): Summary {
  const ran = new Set(input.reports.map((report) => report.database));
  // The opt-in runs are PostgreSQL's.
  if (input.live || input.load || input.mailboxSync?.length) ran.add('postgres');
  const databases = (['pglite', 'postgres'] as const).filter((database) => ran.has(database));
  return {
    at: input.at.toISOString(),
    settings: input.settings,
    databases,
    rows: [
      ...apiRows(input),
      ...flowRows(input),
      ...syncRows(input),
      ...memoryRows(input),
      ...liveRows(input),
      ...loadRows(input),
    ],
  };
}

/** Three significant figures or so: 1234, 123, 12.3, 1.23. */
export function formatFigure(value: number): string {
  if (!Number.isFinite(value)) return '?';
  if (Number.isInteger(value)) return String(value);
  const magnitude = Math.abs(value);
  return value.toFixed(magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : 2);
}

const DATABASE_COLUMNS = ['value', 'p50 ms', 'p99 ms', '×', 'CPU ms/req'] as const;

function header(summary: Summary): string[] {
  return [
    'endpoint or flow',
    'unit',
    ...summary.databases.flatMap((database) =>
      DATABASE_COLUMNS.map((column) => (column === 'value' ? DATABASE_TITLES[database] : column)),
    ),
    'note',
  ];
}

function cellsOf(row: SummaryRow, database: DatabaseLabel): string[] {
  const cell = row.cells[database];
  if (!cell) return DATABASE_COLUMNS.map(() => (row.unit ? '—' : ''));
  const figure = (value: number | undefined) => (value === undefined ? '' : formatFigure(value));
  return [
    figure(cell.value),
    figure(cell.p50),
    figure(cell.p99),
    cell.ratio === undefined ? '' : `${cell.ratio.toFixed(2)}×`,
    figure(cell.cpuMsPerRequest),
  ];
}

function noteOf(summary: Summary, row: SummaryRow): string {
  const remarks = summary.databases.flatMap((database) => {
    const remark = row.remarks?.[database];
    return remark ? [`${DATABASE_TITLES[database]}: ${remark}`] : [];
  });
  return [row.note, ...remarks].filter(Boolean).join('; ');
}

function bodyRows(summary: Summary): { area: string; cells: string[] }[] {
  return summary.rows.map((row) => ({
    area: row.area,
    cells: [
      row.name,
      row.unit,
      ...summary.databases.flatMap((database) => cellsOf(row, database)),
      noteOf(summary, row),
    ],
  }));
}

const LEGEND =
  'value in the row’s unit; p50/p99 in ms; × = ratio to the row’s yardstick (GET /livez in paired rounds for the API, ' +
  'the yardstick row below it otherwise); CPU = the app server’s CPU ms per request; — = not measured on that database';

export function renderText(summary: Summary): string {
  const rows = bodyRows(summary);
  const lines: string[] = [`summary (${summary.settings})`, LEGEND];
  const table = alignedLines(
    header(summary),
    rows.map((row) => row.cells),
  );
  lines.push(table[0] ?? '', table[1] ?? '');
  let area = '';
  rows.forEach((row, index) => {
    if (row.area !== area) {
      area = row.area;
      lines.push(`[${area}]`);
    }
    lines.push(table[index + 2] ?? '');
  });
  return `${lines.join('\n')}\n`;
}

/** A Markdown cell: pipes escaped, no line breaks. */
const markdownCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderMarkdown(summary: Summary): string {
  const head = header(summary);
  const lines = [
    `Run ${summary.at} (${summary.settings}).`,
    '',
    `${LEGEND[0]?.toUpperCase()}${LEGEND.slice(1)}.`,
    '',
    `| ${head.map(markdownCell).join(' | ')} |`,
    `| ${head.map((_, column) => (column >= 2 && column < head.length - 1 ? '---:' : '---')).join(' | ')} |`,
  ];
  let area = '';
  for (const row of bodyRows(summary)) {
    if (row.area !== area) {
      area = row.area;
      lines.push(`| **${markdownCell(area)}** |${' |'.repeat(head.length - 1)}`);
    }
    lines.push(`| ${row.cells.map(markdownCell).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

/** When the opt-in run `name` last wrote its results to `dir`, if it has. */
export function latestElsewhere(dir: string, name: 'live' | 'load'): LatestElsewhere {
  const file = path.join(dir, `${name}.json`);
  const shown = `bench/results/${name}.md`;
  const command = `npm run bench -- --filter ${name}`;
  try {
    const { at } = JSON.parse(readFileSync(file, 'utf8')) as { at?: unknown };
    return typeof at === 'string' ? { command, file: shown, at } : { command, file: shown };
  } catch {
    return { command, file: shown };
  }
}

/** `<dir>/<name>.json`: the run's details with the summary; `<dir>/<name>.md`: the summary table. */
export function writeResults(
  dir: string,
  name: string,
  details: Record<string, unknown>,
  summary: Summary,
): [json: string, markdown: string] {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${name}.json`);
  const markdown = path.join(dir, `${name}.md`);
  writeFileSync(json, `${JSON.stringify({ at: summary.at, ...details, summary }, null, 2)}\n`);
  writeFileSync(markdown, renderMarkdown(summary));
  return [json, markdown];
}
