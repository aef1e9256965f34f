import { randomBytes } from 'node:crypto';
import { expect, test } from '../fixtures/api';

/** Two-legged OAuth 1.0a as the official clients sign, over real HTTP (spec §2). */

test('refuses unsigned, wrongly signed, stale and replayed requests with 401 in Context.IO shape', async ({ api }) => {
  const unsigned = await fetch(`${api.baseUrl}/2.0/connect_tokens`);
  expect(unsigned.status).toBe(401);
  expect(unsigned.headers.get('content-type')).toBe('application/json');
  expect((await unsigned.json()).type).toBe('error');

  const wrongSecret = await api.get('/2.0/connect_tokens', { secret: 'not-the-secret' });
  expect(wrongSecret.status).toBe(401);
  expect(wrongSecret.body).toEqual({ type: 'error', value: 'invalid oauth_signature' });

  const stale = await api.get('/2.0/connect_tokens', { timestamp: Math.floor(Date.now() / 1000) - 20 * 60 });
  expect(stale.status).toBe(401);
  expect(stale.body.value).toContain('15 minutes');

  const nonce = randomBytes(12).toString('hex');
  expect((await api.get('/2.0/connect_tokens', { nonce })).status).toBe(200);
  const replay = await api.get('/2.0/connect_tokens', { nonce });
  expect(replay.status).toBe(401);
  expect(replay.body.value).toContain('oauth_nonce has already been used');

  const unknownKey = await fetch(`${api.baseUrl}/2.0/connect_tokens`, {
    headers: {
      authorization:
        'OAuth oauth_consumer_key="nobody", oauth_nonce="n", oauth_signature="x", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1"',
    },
  });
  expect(unknownKey.status).toBe(401);
});

for (const placement of ['header', 'query', 'body'] as const) {
  test(`accepts a signature in the ${placement}, over reserved and non-ASCII characters`, async ({ api }) => {
    const created = await api.post('/2.0/connect_tokens/', {
      placement,
      form: {
        callback_url: 'https://partner.example.com/cb?a=1&b=two%20words&c=%2F',
        first_name: 'Zoë "Z" & Ann+Lee/日本',
        last_name: "O'Brien (*)~",
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const fetched = await api.get(`/2.0/connect_tokens/${created.body.token}/`, {
      placement: placement === 'body' ? 'query' : placement,
    });
    expect(fetched.body).toMatchObject({
      callback_url: 'https://partner.example.com/cb?a=1&b=two%20words&c=%2F',
      first_name: 'Zoë "Z" & Ann+Lee/日本',
      last_name: "O'Brien (*)~",
    });
  });
}

test('repeated query parameters are all signed; the first value is used', async ({ api }) => {
  const listed = await api.get('/2.0/connect_tokens', {
    query: [
      ['limit', '5'],
      ['limit', '7'],
      ['body', ''],
    ],
  });
  expect(listed.status).toBe(200);
  expect(listed.body.length).toBeLessThanOrEqual(5);
});

test('a client that signed the configured public URL is accepted when it called another address', async ({ api }) => {
  // MAILPORT_PUBLIC_URL defaults to http://localhost:<port>; call 127.0.0.1 but sign localhost.
  const viaLoopback = new (api.constructor as typeof import('../fixtures/api').ContextIoClient)(
    api.baseUrl.replace('localhost', '127.0.0.1'),
    api.credentials,
  );
  const response = await viaLoopback.get('/2.0/connect_tokens', { signedBaseUrl: api.baseUrl });
  expect(response.status).toBe(200);
  const wrongHost = await viaLoopback.get('/2.0/connect_tokens', { signedBaseUrl: 'https://evil.example.com' });
  expect(wrongHost.status).toBe(401);
});

test('unknown resources and methods answer in Context.IO error shape', async ({ api }) => {
  const unknown = await api.get('/2.0/no_such_thing/');
  expect(unknown.status).toBe(404);
  expect(unknown.contentType).toBe('application/json');
  expect(unknown.body.type).toBe('error');
  const wrongMethod = await api.request('PUT', '/2.0/connect_tokens');
  expect(wrongMethod.status).toBe(405);
  expect(wrongMethod.body).toEqual({ type: 'error', value: 'PUT is not supported on this resource' });
  const badId = await api.get('/2.0/accounts/not-an-id');
  expect(badId.status).toBe(404);
});
