import { API_ROUTES } from '@/app/2.0/_shared/routes';
import type { RouteContract } from '@/lib/http/contract';
import { redeemToken } from '../fixtures/admin';
import { type ApiResponse, type ContextIoClient, expect, test } from '../fixtures/api';
import { testServer } from '../fixtures/servers';

/**
 * Issue 9, defect 5: text PostgreSQL cannot store (NUL, other control
 * characters, unpaired surrogates) in any parameter of any /2.0 route is a 400
 * in Context.IO's error shape, never a 500, and changes nothing. Generated from
 * API_ROUTES, the list the OpenAPI document is built from, so a new route
 * or parameter is covered without editing this file.
 */

const CONTROL_VALUES = { nul: 'a\u0000b', bel: '\u0007', tab: 'x\tx' };
const LONE_SURROGATE = 'a\ud800b';
/** A lone surrogate has no UTF-8 form: in a URL it can only arrive as the bytes of one (CESU-8), which are not UTF-8. */
const LONE_SURROGATE_IN_PATH = 'a%ED%A0%80b';

interface Fixture {
  accountId: string;
  sourceLabel: string;
  token: string;
}

const validPath: Record<string, (fixture: Fixture) => string> = {
  id: (fixture) => fixture.accountId,
  label: (fixture) => encodeURIComponent(fixture.sourceLabel),
  token: (fixture) => fixture.token,
  message_id: () => '0'.repeat(24),
  file_id: () => '0'.repeat(24),
  thread_id: () => '0'.repeat(16),
  webhook_id: () => '0'.repeat(24),
  provider_consumer_key: () => 'unknown-client-id',
};

/** The other fields a request needs to pass validation, so only the bad one can fail it. */
const validBody = (operation: RouteContract): Record<string, string> =>
  operation.input?.shape && 'callback_url' in operation.input.shape
    ? { callback_url: 'https://partner.example.com/cb' }
    : {};

function pathWith(operation: RouteContract, fixture: Fixture, override: Record<string, string> = {}): string {
  return operation.path.replace(/\{(\w+)\}/g, (_: string, name: string) => override[name] ?? validPath[name]!(fixture));
}

function expectRefused(response: ApiResponse<any>, name: string, what: string) {
  expect(response.status, `${what}: ${response.text}`).toBe(400);
  expect(response.contentType, what).toBe('application/json');
  expect(response.body.type, what).toBe('error');
  expect(response.body.value, what).toContain(name);
}

/** What a refused request must not have changed: the tokens, the account's names, the source's settings. */
async function snapshot(api: ContextIoClient, fixture: Fixture) {
  const account = (await api.get(`/2.0/accounts/${fixture.accountId}`)).body;
  const tokens = async (path: string) =>
    ((await api.get(path)).body as Array<{ token: string }>).map((token) => token.token).sort();
  return {
    names: [account.first_name, account.last_name],
    sources: account.sources.map((source: Record<string, unknown>) => [
      source.label,
      source.status_callback_url,
      source.sync_all_folders,
      source.expunge_on_deleted_flag,
    ]),
    tokens: await tokens('/2.0/connect_tokens'),
    accountTokens: await tokens(`/2.0/accounts/${fixture.accountId}/connect_tokens`),
    sourceTokens: await tokens(
      `/2.0/accounts/${fixture.accountId}/sources/${encodeURIComponent(fixture.sourceLabel)}/connect_tokens`,
    ),
  };
}

async function setUp(api: ContextIoClient, projectName: string): Promise<Fixture> {
  const server = testServer(projectName);
  const account = await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://partner.example.com/cb' } });
  const redeemed = await redeemToken(
    server,
    account.body.token,
    // A closed loopback port: any sync fails at once and never touches the fields compared.
    { email: `bad-text-${Date.now()}@example.com`, server: '127.0.0.1', port: 1, tlsMode: 'NONE' },
    { first_name: 'Ada', last_name: 'Lovelace' },
  );
  expect(redeemed.ok, JSON.stringify(redeemed)).toBe(true);
  const unused = await api.post('/2.0/connect_tokens', { form: { callback_url: 'https://partner.example.com/cb' } });
  return { accountId: redeemed.accountId, sourceLabel: redeemed.sourceLabel, token: unused.body.token };
}

for (const operation of API_ROUTES) {
  const method = operation.method.toUpperCase();
  test(`${method} ${operation.path}: unstorable text in any parameter is a 400 and changes nothing`, async ({
    api,
  }, testInfo) => {
    test.setTimeout(90_000);
    const fixture = await setUp(api, testInfo.project.name);
    const before = await snapshot(api, fixture);
    const body = validBody(operation);

    for (const name of operation.path.match(/\{(\w+)\}/g)?.map((part: string) => part.slice(1, -1)) ?? []) {
      for (const encoded of ['a%00b', '%07', 'x%0Ax', LONE_SURROGATE_IN_PATH]) {
        const path = pathWith(operation, fixture, { [name]: encoded });
        const response = await api.request(method, path, { form: body });
        const what = `${method} ${path}`;
        if (encoded === LONE_SURROGATE_IN_PATH) {
          // Refused before routing (Next.js would fail to decode it): the message names the address, not the param.
          expect(response.status, `${what}: ${response.text}`).toBe(400);
          expect(response.body, what).toEqual({
            type: 'error',
            value: 'malformed percent-encoding in the address: expected UTF-8',
          });
        } else expectRefused(response, `path ${name}`, what);
      }
    }

    const path = pathWith(operation, fixture);
    for (const name of Object.keys(operation.input?.shape ?? {})) {
      for (const [label, value] of Object.entries(CONTROL_VALUES)) {
        const what = `${method} ${path} ${name}=${label}`;
        if (method === 'GET') {
          expectRefused(await api.get(path, { query: { [name]: value } }), `parameter ${name}`, what);
        } else {
          expectRefused(await api.request(method, path, { form: { ...body, [name]: value } }), name, `${what} (form)`);
          expectRefused(await api.request(method, path, { json: { ...body, [name]: value } }), name, `${what} (JSON)`);
        }
      }
      if (method !== 'GET') {
        const response = await api.request(method, path, { json: { ...body, [name]: LONE_SURROGATE } });
        expectRefused(response, name, `${method} ${path} ${name}=lone surrogate (JSON)`);
      }
    }

    // The OAuth parameters are looked up and stored too.
    const nonce = await api.request(method, path, { form: body, nonce: 'n\u0000once' });
    expectRefused(nonce, 'oauth_nonce', `${method} ${path} with a NUL in oauth_nonce`);

    expect(await snapshot(api, fixture)).toEqual(before);
  });
}

test('a form body with percent-encoded bytes that are not UTF-8 is refused, not stored as U+FFFD', async ({ api }) => {
  const created = await api.request('POST', '/2.0/connect_tokens', {
    rawForm: 'callback_url=https%3A%2F%2Fp.example.com%2Fcb&first_name=a%ED%A0%80b',
  });
  expect(created.status, created.text).toBe(400);
  expect(created.body).toEqual({
    type: 'error',
    value: 'malformed percent-encoding in the request body: expected UTF-8',
  });
});
