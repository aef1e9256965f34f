import { expect, test } from '@playwright/test';
import { runOperatorScript } from './fixtures/cli';
import { testServer } from './fixtures/servers';

test('keys:create works while the app is running, and prints one line of JSON', async ({}, testInfo) => {
  const server = testServer(testInfo.project.name);
  // On PGlite the running app holds the data directory: the command must go through the app.
  const result = await runOperatorScript(server, 'scripts/keys-create.ts', [
    '--email',
    `ops-${Date.now()}@example.com`,
    '--app-name',
    'Running App',
  ]);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  const lines = result.stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  const body = JSON.parse(lines[0] ?? '');
  expect(Object.keys(body)).toEqual(['developer_id', 'key', 'secret']);
  expect(body.key).toMatch(/^[0-9a-z]{20}$/);
});

test('db:migrate beside a running app: refused plainly on PGlite, a no-op on PostgreSQL', async ({}, testInfo) => {
  const server = testServer(testInfo.project.name);
  const result = await runOperatorScript(server, 'scripts/db-migrate.ts', []);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  if (server.name === 'pglite') {
    // The running app holds the data directory; a second process would corrupt it.
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/in use by another Mailport process .* restart it/);
  } else {
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/PostgreSQL: already up to date/);
  }
});
