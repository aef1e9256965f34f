import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Scenario } from './client';
import type { LiveBenchResult } from './live';
import type { DatabaseReport, Result } from './report';
import { buildSummary, formatFigure, latestElsewhere, renderMarkdown, renderText, writeResults } from './summary';

/** The summary table of `npm run bench`: both databases side by side, every row, nothing silently dropped. */

const dir = mkdtempSync(path.join(tmpdir(), 'mailport-bench-summary-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = (name: string, extra: Partial<Scenario> = {}): Scenario => ({
  name,
  expectStatus: 200,
  request: () => ({}),
  ...extra,
});

const result = (name: string, requestsPerSecond: number, extra: Partial<Result> = {}): Result => ({
  name,
  requestsPerSecond,
  p50: 12,
  p99: 80,
  ratio: requestsPerSecond / 400,
  non2xx: 0,
  badStatus: 0,
  loopP99: 30,
  cpuMsPerRequest: 4.25,
  rounds: 5,
  statusCodes: { 200: 1000 },
  errors: 0,
  ...extra,
});

const SCENARIOS = [
  scenario('baseline: GET /livez', { baseline: true }),
  scenario('account get: GET /2.0/accounts/:id'),
  scenario('messages list at scale', { needsPostgres: true, target: 'PostgreSQL: ≥ 0.5×' }),
  scenario('file content: GET …/content', { note: 'streamed from Dovecot' }),
];

const pglite: DatabaseReport = {
  database: 'pglite',
  serverPeakRssMiB: 700,
  serverPeakRssAtEndMiB: 760,
  results: [
    result('baseline: GET /livez', 400, { ratio: 1 }),
    result('account get: GET /2.0/accounts/:id', 100),
    result('file content: GET …/content', 0, { badStatus: 32, statusCodes: { 503: 32 } }),
  ],
  skipped: [{ name: 'messages list at scale', reason: 'PostgreSQL only' }],
  connect: {
    samples: 40,
    p50: 150,
    p95: 240,
    p99: 260,
    baselineP50: 20,
    baselineP95: 30,
    baselineP99: 31,
    ratioP50: 7.5,
    target: 'p95 ≤ 300 ms',
  },
};

const postgres: DatabaseReport = {
  database: 'postgres',
  serverPeakRssMiB: 500,
  serverPeakRssAtEndMiB: 520,
  workerPeakRssMiB: 280,
  results: [
    result('baseline: GET /livez', 500, { ratio: 1 }),
    result('account get: GET /2.0/accounts/:id', 200),
    result('messages list at scale', 90),
    result('file content: GET …/content', 60),
  ],
  skipped: [],
  messageReads: [
    { name: 'baseline: GET /livez', path: '/livez', p50: 5.5, p99: 40.25, answered: 1 },
    { name: 'list (newest 20)', path: '/x', p50: 30.5, p99: 120, answered: 20 },
  ],
};

const elsewhere = {
  live: { command: 'npm run bench -- --filter live', file: 'bench/results/live.md' },
  load: { command: 'npm run bench -- --filter load', file: 'bench/results/load.md', at: '2026-11-20T10:00:00.000Z' },
};

const summary = buildSummary({
  at: new Date('2026-11-26T12:00:00Z'),
  settings: '32 connections',
  scenarios: SCENARIOS,
  allScenarios: true,
  reports: [pglite, postgres],
  mailboxSync: [
    { messages: 10_000, rawMessagesPerSecond: 7000, syncMessagesPerSecond: 3000, ratio: 3 / 7, workerPeakRssMiB: 300 },
  ],
  elsewhere,
});
const row = (name: string) => summary.rows.find((candidate) => candidate.name === name);

describe('the bench summary', () => {
  it('puts each scenario’s figures for both databases in one row, in the scenarios’ order', () => {
    expect(summary.databases).toEqual(['pglite', 'postgres']);
    const apiNames = summary.rows.filter((candidate) => candidate.unit === 'req/s').map((candidate) => candidate.name);
    expect(apiNames).toEqual(SCENARIOS.map((candidate) => candidate.name));
    expect(row('account get: GET /2.0/accounts/:id')?.cells).toEqual({
      pglite: { value: 100, p50: 12, p99: 80, ratio: 0.25, cpuMsPerRequest: 4.25 },
      postgres: { value: 200, p50: 12, p99: 80, ratio: 0.5, cpuMsPerRequest: 4.25 },
    });
  });

  it('says why a database has no figure, and which figures had unexpected statuses', () => {
    const atScale = row('messages list at scale');
    expect(atScale?.cells.pglite).toBeUndefined();
    expect(atScale?.remarks?.pglite).toBe('skipped: PostgreSQL only');
    expect(row('file content: GET …/content')?.remarks?.pglite).toBe('32 unexpected statuses, 0 errors (32× 503)');
    const text = renderText(summary);
    expect(text).toContain('PGlite: skipped: PostgreSQL only');
    expect(text).toContain('target PostgreSQL: ≥ 0.5×');
    expect(text).toContain('streamed from Dovecot; PGlite: 32 unexpected statuses');
  });

  it('lists the routes no scenario measures, the flows, sync, memory and where the opt-in runs’ figures are', () => {
    expect(summary.rows.some((candidate) => candidate.name === 'POST /2.0/accounts/{id}/sources')).toBe(true);
    expect(row('password sign-in: submit → 303 to the partner')?.cells.pglite).toEqual({ p50: 150, p99: 260 });
    expect(row('list (newest 20)')?.cells).toEqual({ postgres: { p50: 30.5, p99: 120 } });
    expect(row('10,000 messages')?.cells.postgres).toEqual({ value: 3000, ratio: 3 / 7 });
    expect(row('app server, after the API scenarios')?.cells).toEqual({
      pglite: { value: 700 },
      postgres: { value: 500 },
    });
    const worker = row('worker beside the app (bench mailbox, content)');
    expect(worker?.cells).toEqual({ postgres: { value: 280 } });
    expect(worker?.remarks?.pglite).toContain('works the queue itself');
    expect(row('worker, initial sync of 10,000 messages')?.cells.postgres).toEqual({ value: 300 });
    const pointers = summary.rows.filter((candidate) => candidate.name.startsWith('not in this run'));
    expect(pointers.map((candidate) => candidate.note)).toEqual([
      'none yet in bench/results/live.md',
      'latest figures: bench/results/load.md (2026-11-20T10:00:00.000Z)',
    ]);
  });

  it('shows the opt-in run’s own rows when it ran, on PostgreSQL alone', () => {
    const live: LiveBenchResult = {
      mailboxes: 500,
      changed: 50,
      appendToVisibleP50Ms: 900,
      appendToVisibleP95Ms: 1500,
      appendToVisibleMaxMs: 2000,
      appendToWebhookP50Ms: 1100,
      appendToWebhookP95Ms: 1800,
      appendToWebhookMaxMs: 2500,
      idleWorkersRssMiB: 300,
      liveWorkersRssMiB: 420,
      rssPerLiveMailboxKiB: 245.8,
      takeoverMs: 31_000,
      leaseSeconds: 30,
    };
    const liveOnly = buildSummary({
      at: new Date(),
      settings: '--filter live',
      scenarios: [],
      allScenarios: false,
      reports: [],
      live,
      elsewhere,
    });
    expect(liveOnly.databases).toEqual(['postgres']);
    expect(liveOnly.rows.map((candidate) => candidate.area)).not.toContain(expect.stringMatching(/^API/));
    expect(liveOnly.rows.find((candidate) => candidate.name.startsWith('delivered → readable'))?.cells).toEqual({
      postgres: { p50: 900 },
    });
    expect(renderText(liveOnly)).toContain('not in this run (opt-in: npm run bench -- --filter load)');
  });

  it('renders a Markdown table whose every line has the header’s columns, and — where a database has no figure', () => {
    const markdown = renderMarkdown(summary);
    const lines = markdown.split('\n').filter((line) => line.startsWith('|'));
    const columns = (line: string) => line.replaceAll('\\|', '').split('|').length;
    expect(lines.length).toBe(summary.rows.length + 2 + new Set(summary.rows.map((r) => r.area)).size);
    for (const line of lines) expect(columns(line), line).toBe(columns(lines[0] ?? ''));
    expect(lines[0]).toContain('| PGlite | p50 ms | p99 ms | × | CPU ms/req | PostgreSQL |');
    expect(markdown).toContain('| messages list at scale | req/s | — | — | — | — | — | 90 |');
  });

  it('rounds figures to about three significant digits and keeps whole numbers whole', () => {
    expect([1234.5, 123.45, 12.345, 1.2345, 56, 0].map(formatFigure)).toEqual([
      '1235',
      '123',
      '12.3',
      '1.23',
      '56',
      '0',
    ]);
  });

  it('writes the details with the summary as JSON and the table as Markdown, and finds the opt-in runs’ dates', () => {
    const [json, markdown] = writeResults(dir, 'latest', { report: [pglite] }, summary);
    const written = JSON.parse(readFileSync(json, 'utf8'));
    expect(written.at).toBe(summary.at);
    expect(written.report[0].database).toBe('pglite');
    expect(written.summary.rows).toHaveLength(summary.rows.length);
    expect(readFileSync(markdown, 'utf8')).toBe(renderMarkdown(summary));

    expect(latestElsewhere(dir, 'live').at).toBeUndefined();
    writeFileSync(path.join(dir, 'live.json'), JSON.stringify({ at: '2026-11-25T08:00:00.000Z' }));
    expect(latestElsewhere(dir, 'live')).toEqual({
      command: 'npm run bench -- --filter live',
      file: 'bench/results/live.md',
      at: '2026-11-25T08:00:00.000Z',
    });
  });
});
