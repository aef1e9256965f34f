import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import path from 'node:path';
import OAuth from 'oauth-1.0a';
import { expect, test } from '../fixtures/api';
import { type TestServer, testServer } from '../fixtures/servers';

/**
 * The HTTP edge in front of Next.js (lib/server/http-edge.ts), over raw HTTP so
 * that nothing normalises the method or path on the way: every answer under
 * /2.0 is Context.IO's JSON error with the right status, page errors are our
 * HTML page, all with our security headers, and the client's address is the
 * edge's to say.
 */

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(
  port: number,
  method: string,
  target: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path: target, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function expectOurHeaders(response: RawResponse) {
  expect(response.headers['x-frame-options']).toBe('DENY');
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
}

function expectApiError(response: RawResponse, status: number, value?: string | RegExp) {
  expect(response.status, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('application/json');
  const body = JSON.parse(response.body);
  expect(body.type).toBe('error');
  expect(typeof body.value).toBe('string');
  if (value !== undefined) expect(body.value).toMatch(value);
  expectOurHeaders(response);
}

function expectErrorPage(response: RawResponse, status: number, heading: string) {
  expect(response.status, response.body).toBe(status);
  expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
  expect(response.body).toContain(`<h1>${heading}</h1>`);
  expectOurHeaders(response);
}

let port: number;
test.beforeEach(({}, testInfo) => {
  port = testServer(testInfo.project.name).port;
});

test('undecodable percent-encoding is a 400: JSON under /2.0, our error page elsewhere', async () => {
  expectApiError(await raw(port, 'GET', '/2.0/connect_tokens/%ZZ'), 400, /malformed percent-encoding/);
  expectApiError(await raw(port, 'POST', '/2.0/connect_tokens/%E0%A4%A'), 400, /malformed percent-encoding/);
  expectErrorPage(await raw(port, 'GET', '/connect/abc%'), 400, 'This address is not valid');
});

test('TRACE, CONNECT-style and unknown methods get a 501 in the surface format', async () => {
  expectApiError(await raw(port, 'TRACE', '/2.0/connect_tokens'), 501, 'TRACE is not supported by this server');
  expectApiError(await raw(port, 'PROPFIND', '/2.0/accounts'), 501, 'PROPFIND is not supported by this server');
  // TRACK and FOO never get past Node's parser: the edge answers the parser error.
  expectApiError(await raw(port, 'TRACK', '/2.0/accounts'), 501, 'TRACK is not supported by this server');
  expectErrorPage(await raw(port, 'TRACE', '/'), 501, 'This request is not supported');
  expectErrorPage(await raw(port, 'FOO', '/dashboard'), 501, 'This request is not supported');
});

test('methods no page serves are a 405 page with Allow', async () => {
  for (const method of ['PATCH', 'OPTIONS']) {
    const response = await raw(port, method, '/');
    expectErrorPage(response, 405, 'This request is not supported here');
    expect(response.headers.allow).toBe('GET, HEAD, POST');
  }
});

test('/2.0 and /2.0/ are JSON 404s, like any unknown /2.0 path', async () => {
  for (const target of ['/2.0', '/2.0/', '/2.0/nope']) {
    expectApiError(await raw(port, 'GET', target), 404, /^unknown resource/);
  }
  expectApiError(await raw(port, 'POST', '/2.0'), 404);
});

test('unsupported methods on a resource are a JSON 405 with Allow; OPTIONS and HEAD answer truthfully', async () => {
  for (const method of ['PATCH', 'PUT']) {
    const response = await raw(port, method, '/2.0/connect_tokens');
    expectApiError(response, 405, `${method} is not supported on this resource`);
    expect(response.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
  }
  const onSource = await raw(port, 'PATCH', '/2.0/accounts/abc/sources/0');
  expectApiError(onSource, 405);
  expect(onSource.headers.allow).toBe('GET, HEAD, POST, DELETE, OPTIONS');
  expect((await raw(port, 'DELETE', '/2.0/openapi.json')).headers.allow).toBe('GET, HEAD, OPTIONS');

  const options = await raw(port, 'OPTIONS', '/2.0/connect_tokens/abc');
  expect(options.status).toBe(204);
  expect(options.headers.allow).toBe('GET, HEAD, DELETE, OPTIONS');
  // HEAD is GET without a body: here the unsigned request's 401.
  const head = await raw(port, 'HEAD', '/2.0/connect_tokens');
  expect(head.status).toBe(401);
  expect(head.headers['content-type']).toBe('application/json');
  expect(head.body).toBe('');
});

test('`//` in a path is served as the collapsed path, and a signature over the path as sent verifies', async ({
  api,
}) => {
  const created = await api.post('/2.0//connect_tokens', { form: { callback_url: 'https://p.example.com/cb' } });
  expect(created.status, created.text).toBe(201);
  const token = (created.body as { token: string }).token;
  const listed = await api.get(`//2.0/connect_tokens//${token}`);
  expect(listed.status, listed.text).toBe(200);
  expect((listed.body as { token: string }).token).toBe(token);
  // No redirect anywhere (a 308 makes clients drop or re-send a signed POST).
  const unsigned = await raw(port, 'POST', '/2.0//connect_tokens');
  expect(unsigned.status).toBe(401);
});

test('a client cannot choose the path its signature is checked against', async ({ api }) => {
  // Signed for GET /2.0/connect_tokens, sent to /2.0/accounts with the edge's own header forged.
  const oauth = new OAuth({
    consumer: api.credentials,
    signature_method: 'HMAC-SHA1',
    hash_function: (baseString, key) => createHmac('sha1', key).update(baseString).digest('base64'),
  });
  const { Authorization: authorization } = oauth.toHeader(
    oauth.authorize({ url: `${api.baseUrl}/2.0/connect_tokens`, method: 'GET' }),
  );
  const forged = await raw(port, 'GET', '/2.0/accounts', {
    authorization,
    'x-mailport-original-path': '/2.0/connect_tokens',
  });
  expectApiError(forged, 401, /signature/);
  // The same signature where it belongs verifies (so the 401 above was the path, not the signature).
  expect((await raw(port, 'GET', '/2.0/connect_tokens', { authorization })).status).toBe(200);
});

test('a cross-origin form post to a page is a 403 page, not a 500; same-site and signed API posts pass', async ({
  api,
}) => {
  const form = 'email=a%40example.com&password=x';
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
  const crossSite = await raw(
    port,
    'POST',
    '/dashboard/sign-in',
    { ...formHeaders, origin: 'https://evil.example', 'next-action': 'x' },
    form,
  );
  expectErrorPage(crossSite, 403, 'This request was refused');
  expect(crossSite.body).toContain('sent from another site');
  expectErrorPage(
    await raw(port, 'POST', '/connect/abc', { ...formHeaders, origin: 'null' }, form),
    403,
    'This request was refused',
  );

  const sameSite = await raw(
    port,
    'POST',
    '/dashboard/sign-in',
    { ...formHeaders, origin: `http://127.0.0.1:${port}` },
    form,
  );
  expect(sameSite.status).not.toBe(403);
  expect(sameSite.status).toBeLessThan(500);
  const apiPost = await api.request('POST', '/2.0/connect_tokens', {
    form: { callback_url: 'https://p.example.com/cb' },
  });
  expect(apiPost.status).toBe(201);
});

/** The admin channel's clock hook echoes the client address the edge set (MAILPORT_TEST_HOOKS=1). */
async function echoedClientAddress(server: TestServer, headers: Record<string, string>): Promise<string> {
  const channel = JSON.parse(readFileSync(path.join(server.env.MAILPORT_DATA_DIR ?? '', 'admin-channel.json'), 'utf8'));
  const response = await fetch(`${channel.url}/internal/admin/clock`, {
    method: 'POST',
    headers: { authorization: `Bearer ${channel.token}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ advance_seconds: 0 }),
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { client_address: string }).client_address;
}

test('with no trusted proxy the client address is the socket peer: forged headers are ignored', async ({}, testInfo) => {
  const server = testServer(testInfo.project.name);
  expect(
    await echoedClientAddress(server, {
      'x-forwarded-for': '203.0.113.9',
      'x-mailport-client-address': '198.51.100.1',
    }),
  ).toBe('127.0.0.1');
});

test.describe('behind one trusted proxy (a second server with MAILPORT_TRUSTED_PROXY_HOPS=1)', () => {
  let proxied: TestServer;
  let child: ChildProcess | undefined;
  let output = '';

  test.beforeAll(async ({}, testInfo) => {
    test.skip(
      testServer(testInfo.project.name).name !== 'pglite',
      'the edge does not depend on the database: once is enough',
    );
    test.setTimeout(120_000);
    // A port nobody uses (other checkouts run their e2e servers beside ours).
    const port = await freePort();
    const base = testServer(testInfo.project.name);
    proxied = {
      ...base,
      port,
      env: {
        ...base.env,
        PORT: String(port),
        MAILPORT_DATA_DIR: `${base.env.MAILPORT_DATA_DIR}-proxied`,
        MAILPORT_TRUSTED_PROXY_HOPS: '1',
      },
    };
    child = spawn(process.execPath, ['scripts/start.mjs'], { env: { ...process.env, ...proxied.env } });
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    await expect
      .poll(
        async () => {
          const response = await fetch(`http://127.0.0.1:${proxied.port}/healthz`).catch(() => null);
          return response?.status;
        },
        { timeout: 110_000, message: 'the proxied server did not answer /healthz' },
      )
      .toBe(200);
  });
  test.afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  test('the client address is the entry the proxy appended, not the ones the client wrote', async () => {
    expect(await echoedClientAddress(proxied, { 'x-forwarded-for': '10.6.6.6, 203.0.113.9' })).toBe('203.0.113.9');
    expect(await echoedClientAddress(proxied, { 'x-mailport-client-address': '10.6.6.6' })).toBe('127.0.0.1');
  });

  test('rejected requests leave nothing in the server log', async () => {
    const before = output.length;
    expectApiError(await raw(proxied.port, 'TRACE', '/2.0/connect_tokens'), 501);
    expectErrorPage(await raw(proxied.port, 'TRACE', '/'), 501, 'This request is not supported');
    expectApiError(await raw(proxied.port, 'GET', '/2.0/connect_tokens/%ZZ'), 400);
    // A later request that is logged-free too, so anything the rejected ones wrote has arrived by now.
    expect((await raw(proxied.port, 'GET', '/healthz')).status).toBe(200);
    expect(output.slice(before)).toBe('');
  });

  test('SIGTERM stops the server cleanly', async () => {
    const exited = new Promise<number | null>((resolve) => child?.once('exit', (code) => resolve(code)));
    child?.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).not.toMatch(/Error|⨯/);
  });
});
