import { expect, test } from '../fixtures/api';
import { testServer } from '../fixtures/servers';

/**
 * The oauth_providers calls of the two official clients (spec §14), each
 * request as the client builds it. Sources read (not copied):
 * contextio/PHP-ContextIO src/ContextIO/ContextIO.php (listOAuthProviders,
 * getOAuthProvider, addOAuthProvider, deleteOAuthProvider: no trailing slash,
 * the key appended raw, the POST body multipart and unsigned) and
 * seanRoshan/ContextIO-node lib/2.0.js `oauth_providers(key)` (trailing `/`, the
 * key through encodeURIComponent, form-urlencoded signed POST bodies).
 */

// Google client ids look like this; Microsoft's are GUIDs.
const googleKey = (tag: string) => `${tag}-${Date.now()}.apps.googleusercontent.com`;
const SECRET = 'GOCSPX-abcdefghijklmnop-x9Qa';

test('PHP client: add (multipart), list, get, delete', async ({ api }, testInfo) => {
  const key = googleKey('php');
  const added = await api.post('/2.0/oauth_providers', {
    multipart: { type: 'GMAIL_OAUTH2', provider_consumer_key: key, provider_consumer_secret: SECRET },
  });
  expect(added.status).toBe(201);
  expect(added.contentType).toBe('application/json');
  expect(added.body).toMatchObject({ success: true, provider_consumer_key: key });
  const base = `http://localhost:${testServer(testInfo.project.name).port}`;
  expect((added.body as any).resource_url).toBe(`${base}/2.0/oauth_providers/${encodeURIComponent(key)}`);

  const listed = (await api.get('/2.0/oauth_providers')).body as any[];
  const mine = listed.find((provider) => provider.provider_consumer_key === key);
  expect(mine).toEqual({
    type: 'GMAIL_OAUTH2',
    provider_consumer_key: key,
    provider_consumer_secret: '…x9Qa',
    redirect_uri: `${base}/connect/oauth/callback`,
    resource_url: `${base}/2.0/oauth_providers/${encodeURIComponent(key)}`,
  });
  expect(JSON.stringify(listed)).not.toContain(SECRET);

  expect((await api.get(`/2.0/oauth_providers/${key}`)).body).toEqual(mine);
  // The same key again: a 400 that says so, never a second row.
  const again = await api.post('/2.0/oauth_providers', {
    multipart: { type: 'GMAIL_OAUTH2', provider_consumer_key: key, provider_consumer_secret: 'other-secret-value' },
  });
  expect(again.status).toBe(400);
  expect((again.body as any).value).toContain('already');

  expect((await api.delete(`/2.0/oauth_providers/${key}`)).body).toEqual({ success: true });
  const gone = await api.get(`/2.0/oauth_providers/${key}`);
  expect(gone.status).toBe(404);
  expect(gone.body).toEqual({ type: 'error', value: `oauth provider ${key} is invalid` });
});

test('Node client: trailing slashes, encoded key, signed form body', async ({ api }) => {
  const key = '8f2c1e6a-4b3d-4c5e-9f70-123456789abc';
  const added = await api.post('/2.0/oauth_providers/', {
    form: { type: 'MSLIVECONNECT', provider_consumer_key: key, provider_consumer_secret: 'ms~secret~value~Z9yX' },
  });
  expect(added.status).toBe(201);
  const got = await api.get(`/2.0/oauth_providers/${encodeURIComponent(key)}/`);
  expect(got.body).toMatchObject({ type: 'MSLIVECONNECT', provider_consumer_secret: '…Z9yX' });
  expect((await api.delete(`/2.0/oauth_providers/${encodeURIComponent(key)}/`)).body).toEqual({ success: true });
});

test('bad input is a 400 naming the parameter; another developer sees a 404', async ({ api, newDeveloper }) => {
  const wrongType = await api.post('/2.0/oauth_providers', {
    form: { type: 'GMAIL', provider_consumer_key: 'k', provider_consumer_secret: 's' },
  });
  expect(wrongType.status).toBe(400);
  expect((wrongType.body as any).value).toContain('type');
  const missing = await api.post('/2.0/oauth_providers', {
    form: { type: 'GMAIL_OAUTH2', provider_consumer_key: 'k' },
  });
  expect(missing.status).toBe(400);
  expect((missing.body as any).value).toContain('provider_consumer_secret');

  const key = googleKey('tenant');
  await api.post('/2.0/oauth_providers', {
    form: { type: 'GMAIL_OAUTH2', provider_consumer_key: key, provider_consumer_secret: SECRET },
  });
  const other = await newDeveloper();
  expect((await other.get(`/2.0/oauth_providers/${key}`)).status).toBe(404);
  expect((await other.delete(`/2.0/oauth_providers/${key}`)).status).toBe(404);
  expect((await other.get('/2.0/oauth_providers')).body).toEqual([]);
  expect((await api.get(`/2.0/oauth_providers/${key}`)).status).toBe(200);
});
