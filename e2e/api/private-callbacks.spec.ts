import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { redeemToken } from '../fixtures/admin';
import { ContextIoClient, expect, test } from '../fixtures/api';
import { createDeveloper } from '../fixtures/cli';
import { type TestServer, testServer } from '../fixtures/servers';

/**
 * Private callback URLs over real HTTP. The suite's servers allow private hosts
 * (their callbacks go to receivers on this machine), so this file starts one more
 * server, on the same database, with the guard on: the default a partner meets.
 */

let guarded: TestServer;
let process_: ChildProcess | undefined;
let output = '';
let clients: Record<'tokens' | 'levels', ContextIoClient>;

/** A port nobody listens on now (other checkouts run their suites on this machine too). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

test.beforeAll(async ({}, testInfo) => {
  testInfo.setTimeout(180_000); // a production server's first start, on a shared machine
  const base = testServer(testInfo.project.name);
  const port = await freePort();
  guarded = {
    ...base,
    port,
    command: 'node scripts/start.mjs',
    env: {
      ...base.env,
      PORT: String(port),
      MAILPORT_ALLOW_PRIVATE_HOSTS: '0',
      // Embedded mode: a data directory of its own (PGlite has one process); PostgreSQL: the shared, migrated one.
      MAILPORT_DATA_DIR: `${base.env.MAILPORT_DATA_DIR}-guarded`,
    },
  };
  process_ = spawn('node', ['scripts/start.mjs'], {
    env: { ...process.env, ...guarded.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  process_.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  process_.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    await expect
      .poll(
        async () => {
          try {
            return (await fetch(`http://localhost:${port}/healthz`)).status;
          } catch {
            return 0;
          }
        },
        { timeout: 150_000 },
      )
      .toBe(200);
  } catch (error) {
    throw new Error(`the guarded server did not start: ${String(error)}\n${output}`);
  }
  // Both developers now, before any API request: an idle keep-alive socket can be closed
  // by the server just as a slow keys:create ends, and the next request would fail on it.
  clients = { tokens: await guardedClient('tokens'), levels: await guardedClient('levels') };
});

test.afterAll(async () => {
  if (process_?.pid) process.kill(-process_.pid, 'SIGTERM');
  rmSync(guarded.env.MAILPORT_DATA_DIR ?? '', { recursive: true, force: true });
});

async function guardedClient(name: string) {
  const credentials = await createDeveloper(guarded, `${name}-${Date.now()}@example.com`, 'Guarded App');
  return new ContextIoClient(`http://localhost:${guarded.port}`, credentials);
}

const PRIVATE: [string, string][] = [
  ['http://127.0.0.1:8080/cb', '127.0.0.1'],
  ['https://10.0.0.8/cb', '10.0.0.8'],
  ['http://[::1]:3000/cb', '[::1]'],
  ['https://localhost/cb', 'localhost'],
];

test('connect tokens with a private source/status callback URL are refused with a 400, nothing created', async () => {
  const api = clients.tokens;
  for (const field of ['source_callback_url', 'status_callback_url']) {
    for (const [url, host] of PRIVATE) {
      const response = await api.post('/2.0/connect_tokens', {
        form: { callback_url: 'https://partner.example.com/done', [field]: url },
      });
      expect(response.status, url).toBe(400);
      expect(response.body).toEqual({
        type: 'error',
        value: `${field} is not allowed: its host ${host} is a private or local address, and callbacks are only sent to public addresses`,
      });
    }
  }
  expect((await api.get('/2.0/connect_tokens')).body).toEqual([]);

  // A name not in DNS is accepted (delivery checks again); so is a local browser callback_url.
  const accepted = await api.post('/2.0/connect_tokens', {
    form: { callback_url: 'http://localhost:3000/done', status_callback_url: 'https://hooks.no-such-host.invalid/s' },
  });
  expect(accepted.status).toBe(201);
  expect((await api.get('/2.0/connect_tokens')).body).toHaveLength(1);
});

test('account-level tokens and source updates refuse private callback URLs too', async () => {
  const api = clients.levels;
  const created = await api.post('/2.0/connect_tokens', {
    form: { callback_url: 'https://partner.example.com/done', status_callback_url: 'https://hooks.example.com/s' },
  });
  expect(created.status).toBe(201);
  const redeemed = await redeemToken(guarded, created.body.token, { email: `levels-${Date.now()}@example.com` });
  expect(redeemed.ok).toBe(true);
  const token = (await api.get(`/2.0/connect_tokens/${created.body.token}`)).body;
  const account = token.account.id as string;
  const source = { label: token.server_label as string };

  const atAccount = await api.post(`/2.0/accounts/${account}/connect_tokens`, {
    form: { callback_url: 'https://partner.example.com/done', source_callback_url: 'http://127.0.0.1/cb' },
  });
  expect(atAccount.status).toBe(400);
  expect(atAccount.body.value).toMatch(/^source_callback_url is not allowed: its host 127\.0\.0\.1 is a private/);
  expect((await api.get(`/2.0/accounts/${account}/connect_tokens`)).body).toEqual([]);

  const update = await api.post(`/2.0/accounts/${account}/sources/${encodeURIComponent(source.label)}`, {
    form: { status_callback_url: 'http://[::1]:9000/status' },
  });
  expect(update.status).toBe(400);
  expect(update.body).toEqual({
    type: 'error',
    value:
      'status_callback_url is not allowed: its host [::1] is a private or local address, and callbacks are only sent to public addresses',
  });
  const after = (await api.get(`/2.0/accounts/${account}/sources/${encodeURIComponent(source.label)}`)).body;
  expect(after.status_callback_url).toBe('https://hooks.example.com/s');
});
