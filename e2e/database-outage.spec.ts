import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ContextIoClient } from './fixtures/api';
import { createDeveloper, runOperatorScript } from './fixtures/cli';
import { checkPage } from './fixtures/dashboard';
import { type TestServer, testServer } from './fixtures/servers';

/**
 * A PostgreSQL outage under a running app: API calls answer 503 with
 * Retry-After in Context.IO's error format, /healthz (readiness) answers 503,
 * /livez stays 200; once PostgreSQL is back, everything answers 200 again
 * without restarting the app. Runs its own app on its own PostgreSQL (it stops
 * that server), once, in the pglite project.
 */

const pgPort = Number(process.env.MAILPORT_E2E_OUTAGE_PG_PORT ?? 55490);
const appPort = Number(process.env.MAILPORT_E2E_PORT ?? 3107) + 2;
// Under the system temp directory, as scripts/test-all.sh's server: the postgres user must reach it
// whatever the permissions of the checkout's parents.
const pgDir = path.join(tmpdir(), `mailport-e2e-outage-pg-${process.pid}`);
const testPostgres = (...args: string[]) =>
  execFileSync('bash', ['scripts/test-postgres.sh', ...args], { stdio: 'pipe', timeout: 90_000 });

let app: ChildProcess | undefined;
let appLog = '';

test.afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app?.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }
  testPostgres('stop', pgDir);
});

test('a database outage answers 503 + Retry-After, and the app recovers by itself', async ({ page }, testInfo) => {
  test.skip(
    testServer(testInfo.project.name).name !== 'pglite',
    'it brings its own app and PostgreSQL: once is enough',
  );
  test.setTimeout(180_000);

  mkdirSync('.tmp', { recursive: true });
  testPostgres('start', pgDir, String(pgPort));
  const server: TestServer = {
    name: 'postgres',
    port: appPort,
    command: 'node scripts/start.mjs',
    env: {
      PORT: String(appPort),
      DATABASE_URL: `postgresql://postgres@127.0.0.1:${pgPort}/postgres`,
      MAILPORT_MASTER_KEY: `${'0'.repeat(63)}2`,
      MAILPORT_DATA_DIR: `.tmp/e2e-outage-${process.pid}`,
    },
  };
  const migrated = await runOperatorScript(server, 'scripts/db-migrate.ts', []);
  expect(migrated.status, migrated.stderr).toBe(0);
  const api = new ContextIoClient(
    `http://localhost:${appPort}`,
    await createDeveloper(server, 'outage@example.com', 'Ops'),
  );

  // next's own entry point, not npx: the SIGTERM in afterAll must reach the server itself.
  app = spawn(process.execPath, [path.resolve('scripts/start.mjs')], {
    env: { ...process.env, ...server.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout?.on('data', (chunk: Buffer) => {
    appLog += chunk;
  });
  app.stderr?.on('data', (chunk: Buffer) => {
    appLog += chunk;
  });
  const status = (route: string) =>
    fetch(`http://localhost:${appPort}${route}`)
      .then((response) => response.status)
      .catch(() => 0);
  await expect.poll(() => status('/healthz'), { timeout: 60_000, message: appLog }).toBe(200);

  const ready = await fetch(`http://localhost:${appPort}/healthz`);
  expect(await ready.json()).toEqual({ status: 'ok', database: 'ok' });
  expect((await api.get('/2.0/accounts')).status).toBe(200);

  testPostgres('down', pgDir);

  const down = await api.get('/2.0/accounts');
  expect(down.status).toBe(503);
  expect(down.headers.get('retry-after')).toBe('5');
  expect(down.contentType).toBe('application/json');
  expect(Object.keys(down.body)).toEqual(['type', 'value']);
  expect(down.body.type).toBe('error');
  expect(down.body.value).toMatch(/temporarily unavailable/);

  const notReady = await fetch(`http://localhost:${appPort}/healthz`);
  expect(notReady.status).toBe(503);
  expect(notReady.headers.get('retry-after')).toBe('5');
  expect(await notReady.json()).toEqual({ status: 'unavailable', database: 'unavailable' });
  expect(await status('/livez')).toBe(200);

  // Many calls in flight at once during the outage: every one a clean 503, none hangs or crashes.
  const burst = await Promise.all(Array.from({ length: 24 }, () => api.get('/2.0/accounts')));
  expect(burst.map((response) => `${response.status} ${response.headers.get('retry-after')}`)).toEqual(
    Array(24).fill('503 5'),
  );

  // A page that reads the database offers to try again instead of crashing.
  await page.goto(`http://localhost:${appPort}/connect/0utage0token0000`);
  await expect(page.getByRole('heading', { name: 'Temporarily unavailable' })).toBeVisible();
  await checkPage(page, testInfo, 'temporarily unavailable');

  testPostgres('up', pgDir, String(pgPort));

  // The same process, never restarted: its pool reconnects on its own.
  await expect.poll(() => status('/healthz'), { timeout: 30_000 }).toBe(200);
  const back = await Promise.all(Array.from({ length: 24 }, () => api.get('/2.0/accounts')));
  expect(back.map((response) => response.status)).toEqual(Array(24).fill(200));
  expect(Array.isArray(back[0]?.body)).toBe(true);
  await page.getByRole('button', { name: 'Try again' }).click();
  await expect(page.getByRole('heading', { name: 'Temporarily unavailable' })).toBeHidden();
  expect(app.exitCode).toBeNull();
  expect(appLog).toMatch(/database unavailable \(/);
  expect(appLog).not.toMatch(/unexpected error/);
});
