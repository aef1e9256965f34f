/**
 * The hosted connect flow in `npm run bench`:
 *  - submit-to-redirect: the sign-in form posted the way a browser without
 *    JavaScript posts it, timed until the 303 back to the partner, against a
 *    local Dovecot; the baseline is a bare imapflow login to the same server
 *    from this process, so the ratio shows what the app adds to the IMAP proof.
 *  - first-load JavaScript: every script the connect page loads, gzipped, read
 *    from the build output (.next/static).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImapFlow } from 'imapflow';
import { type DovecotServer, startDovecot } from '../e2e/fixtures/dovecot';
import { type BenchContext, call } from './client';
import { root } from './server';

export interface ConnectLatency {
  samples: number;
  p50: number;
  p95: number;
  /** With 40 samples, the slowest (the summary table's p99 column). */
  p99: number;
  baselineP50: number;
  baselineP95: number;
  baselineP99: number;
  ratioP50: number;
  target: string;
}

export interface FirstLoadJs {
  scripts: number;
  gzippedKiB: number;
  rawKiB: number;
  /** The same for the home page, which has no client components of ours: React and the Next.js runtime. */
  frameworkGzippedKiB: number;
  /** The connect page's scripts that the home page does not load. */
  ownScripts: number;
  ownGzippedKiB: number;
  target: string;
}

const MAILBOX = { username: 'bench@mailport.test', password: 'bench-password' };
const CALLBACK_URL = 'https://partner.example.com/connected';

export async function startBenchDovecot(): Promise<DovecotServer | { reason: string }> {
  try {
    return await startDovecot({
      users: [MAILBOX],
      // Every sample connects the same mailbox as a new account, whose live sync keeps a connection open:
      // Dovecot's default of 10 per user and address refused the 11th sign-in.
      extraConfig: [
        'default_process_limit = 400',
        'default_client_limit = 800',
        'mail_max_userip_connections = 200',
      ].join('\n'),
    });
  } catch (error) {
    return { reason: (error as Error).message.split('\n')[0] ?? 'Dovecot did not start' };
  }
}

function percentile(sorted: number[], fraction: number): number {
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

/** The hidden fields and action of the page's sign-in form, as a browser without JavaScript would post them. */
export function signInForm(html: string): { action: string; fields: [string, string][] } {
  const formHtml = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)]
    .map((match) => match[0])
    .find((candidate) => candidate.includes('name="password"'));
  if (!formHtml) throw new Error('the connect page has no sign-in form');
  const action = /<form\b[^>]*\baction="([^"]*)"/.exec(formHtml)?.[1] ?? '';
  const fields: [string, string][] = [];
  for (const input of formHtml.matchAll(/<input\b[^>]*type="hidden"[^>]*>/g)) {
    const name = /\bname="([^"]*)"/.exec(input[0])?.[1];
    const value = /\bvalue="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name) fields.push([decodeEntities(name), decodeEntities(value)]);
  }
  return { action: decodeEntities(action), fields };
}

function decodeEntities(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** One end user: open the page (not timed), then submit the password and time it until the redirect. */
async function submitOnce(context: BenchContext, dovecot: DovecotServer): Promise<number> {
  return (await signInThroughPages(context, dovecot, MAILBOX)).elapsed;
}

/** Connects a Dovecot user through the hosted pages, as an end user would; the token names the new account. */
export async function signInThroughPages(
  context: BenchContext,
  dovecot: DovecotServer,
  mailbox: { username: string; password: string },
): Promise<{ elapsed: number; token: string }> {
  const MAILBOX = mailbox;
  const created = await call(context, 'POST', '/2.0/connect_tokens', {
    callback_url: CALLBACK_URL,
    email: MAILBOX.username,
  });
  const pageUrl = created.browser_redirect_url as string;
  const page = await fetch(pageUrl);
  if (page.status !== 200) throw new Error(`connect page: ${page.status}`);
  const { action, fields } = signInForm(await page.text());
  const body = new FormData();
  for (const [name, value] of fields) body.append(name, value);
  body.append('server', '127.0.0.1');
  body.append('port', String(dovecot.port));
  body.append('tlsMode', 'NONE');
  body.append('username', MAILBOX.username);
  body.append('password', MAILBOX.password);
  const started = performance.now();
  const response = await fetch(new URL(action || pageUrl, pageUrl), { method: 'POST', body, redirect: 'manual' });
  const elapsed = performance.now() - started;
  const location = response.headers.get('location') ?? '';
  await response.body?.cancel();
  if (response.status !== 303 || !location.startsWith(`${CALLBACK_URL}?contextio_token=${created.token}`)) {
    // Back on the connect page: its alert says why (a refused login, a rate limit…).
    const shown = location.startsWith('/') ? await (await fetch(new URL(location, pageUrl))).text() : '';
    const alert = /role="alert"[^>]*>([\s\S]*?)<\/div>/
      .exec(shown)?.[1]
      ?.replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    throw new Error(
      `sign-in answered ${response.status} to ${location || '(no location)'}, not the partner redirect${alert ? `: ${alert.trim()}` : ''}`,
    );
  }
  return { elapsed, token: created.token as string };
}

async function bareImapLogin(dovecot: DovecotServer): Promise<number> {
  const started = performance.now();
  const client = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: MAILBOX.username, pass: MAILBOX.password },
    logger: false,
  });
  await client.connect();
  await client.logout();
  return performance.now() - started;
}

export async function measureConnectLatency(
  context: BenchContext,
  dovecot: DovecotServer,
  samples = 40,
): Promise<ConnectLatency> {
  for (let i = 0; i < 3; i++) await submitOnce(context, dovecot); // warm-up: JIT, pools, caches
  const app: number[] = [];
  const baseline: number[] = [];
  // Interleaved, so that both see the same machine load.
  for (let i = 0; i < samples; i++) {
    app.push(await submitOnce(context, dovecot));
    baseline.push(await bareImapLogin(dovecot));
  }
  app.sort((a, b) => a - b);
  baseline.sort((a, b) => a - b);
  const result = {
    samples,
    p50: percentile(app, 0.5),
    p95: percentile(app, 0.95),
    p99: percentile(app, 0.99),
    baselineP50: percentile(baseline, 0.5),
    baselineP95: percentile(baseline, 0.95),
    baselineP99: percentile(baseline, 0.99),
  };
  return { ...result, ratioP50: result.p50 / result.baselineP50, target: 'p95 ≤ 300 ms' };
}

/** The scripts a modern browser downloads on a first visit (`nomodule` polyfills are skipped by them). */
async function pageScripts(
  url: string,
): Promise<{ scripts: number; raw: number; gzipped: number; files: Map<string, number> }> {
  const html = await (await fetch(url)).text();
  const sources = new Set(
    [...html.matchAll(/<script\b[^>]*>/g)]
      .map((match) => match[0])
      .filter((tag) => !/\bnoModule\b|\bnomodule\b/.test(tag))
      .map((tag) => decodeEntities(/\bsrc="([^"]+)"/.exec(tag)?.[1] ?? ''))
      .filter((src) => src.startsWith('/_next/static/')),
  );
  if (sources.size === 0) throw new Error(`${url} loads no scripts from /_next/static`);
  let raw = 0;
  let gzipped = 0;
  const files = new Map<string, number>();
  for (const src of sources) {
    const file = readFileSync(path.join(root, '.next/static', decodeURIComponent(src.slice('/_next/static/'.length))));
    const size = gzipSync(file, { level: 9 }).length;
    files.set(src, size);
    raw += file.length;
    gzipped += size;
  }
  return { scripts: sources.size, raw, gzipped, files };
}

const kib = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;

/**
 * Every script a first visit to the connect page downloads, gzipped at level 9 as a CDN would,
 * beside the home page (no client components: the framework's own runtime) as the baseline.
 */
export async function measureFirstLoadJs(context: BenchContext): Promise<FirstLoadJs> {
  const created = await call(context, 'POST', '/2.0/connect_tokens', { callback_url: CALLBACK_URL });
  const connect = await pageScripts(created.browser_redirect_url as string);
  const framework = await pageScripts(`${context.baseUrl}/`);
  const own = [...connect.files].filter(([file]) => !framework.files.has(file));
  return {
    scripts: connect.scripts,
    gzippedKiB: kib(connect.gzipped),
    rawKiB: kib(connect.raw),
    frameworkGzippedKiB: kib(framework.gzipped),
    ownScripts: own.length,
    ownGzippedKiB: kib(own.reduce((sum, [, size]) => sum + size, 0)),
    target: '≤ 100 KB gzipped',
  };
}
