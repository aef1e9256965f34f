import fc from 'fast-check';
import { API_ROUTES } from '@/app/2.0/_shared/routes';
import type { RouteContract } from '@/lib/http/contract';
import { ApiError } from '@/lib/http/errors';
import { parseRequest } from '@/lib/http/request';
import { redeemOntoDovecot } from '../fixtures/admin';
import { type ApiRequest, type ApiResponse, ContextIoClient, expect, test } from '../fixtures/api';
import { type DovecotServer, startDovecot } from '../fixtures/dovecot';
import {
  changedTables,
  FUZZ_BUDGET,
  FUZZ_TOTAL,
  nastyJson,
  nastyText,
  ONE_REQUEST_PER_RUN,
  type Snapshot,
  settledSnapshot,
  snapshotStoredData,
  strangeName,
  wellFormed,
} from '../fixtures/fuzz';
import { contentMessages } from '../fixtures/mailbox';
import { type TestServer, testServer } from '../fixtures/servers';

/**
 * Issue 16.1: generated bad input on every /2.0 route, walked from API_ROUTES
 * (the registry the OpenAPI document is built from), so a new route or
 * parameter is covered without editing this file. Each request is bad in one
 * of three ways: a path segment (the resource cannot exist), parameters the
 * route's contract refuses, or a body the request parser refuses (both judged
 * by the app's own parser and contract, run here, so the suite never sends a
 * request that could legitimately change something). Every answer must be a
 * 4xx in Context.IO's error body (the API fixture checks each response against
 * its route's contract) with our security headers, and the developer's stored
 * rows must be exactly as before. Shrunk counter-examples stay below as
 * REGRESSIONS and run first.
 */

test.describe.configure({ mode: 'serial' });

type BadRequest =
  | { kind: 'path'; name: string; segment: string }
  | { kind: 'input'; placement: 'query' | 'form' | 'json' | 'multipart'; entries: [string, unknown][] }
  | { kind: 'body'; contentType: string; body: Uint8Array };

/** Counter-examples fast-check found and shrank, each a defect fixed since; kept so they never come back. */
const REGRESSIONS: Record<string, BadRequest[]> = {};

const PASSWORD = 'fuzz-mailbox-password';
let dovecot: DovecotServer;
let client: ContextIoClient;
let server: TestServer;
let baseline: Snapshot;
let valid: Record<string, string> = {};
/** A valid unused token per route level, for the {token} segments. */
let tokens: { top: string; account: string; source: string };

test.beforeAll(async ({ workerDeveloper }, testInfo) => {
  test.setTimeout(180_000);
  server = testServer(testInfo.project.name);
  client = new ContextIoClient(`http://localhost:${server.port}`, workerDeveloper);
  dovecot = await startDovecot();
  const username = `fuzz-${server.name}@mailport.test`;
  await dovecot.addUser(username, PASSWORD);
  await dovecot.appendMessages(username, 'INBOX', contentMessages());

  const created = await client.post('/2.0/connect_tokens', {
    form: { callback_url: 'https://partner.example.com/cb' },
  });
  const redeemed = await redeemOntoDovecot(server, created.body.token, dovecot, { username, password: PASSWORD });
  expect(redeemed.ok, JSON.stringify(redeemed)).toBe(true);
  const accountPath = `/2.0/accounts/${redeemed.accountId}`;
  const sourcePath = `${accountPath}/sources/${encodeURIComponent(redeemed.sourceLabel)}`;
  await expect
    .poll(async () => ((await client.get(`${accountPath}/files`)).body as unknown[]).length, { timeout: 60_000 })
    .toBeGreaterThan(0);
  const messages = (await client.get(`${accountPath}/messages`)).body as Array<{ message_id: string }>;
  const files = (await client.get(`${accountPath}/files`)).body as Array<{ file_id: string }>;
  const thread = (await client.get(`${accountPath}/messages/${messages[0]?.message_id}/thread`)).body;
  valid = {
    id: redeemed.accountId,
    label: encodeURIComponent(redeemed.sourceLabel),
    message_id: messages[0]?.message_id ?? '',
    file_id: files[0]?.file_id ?? '',
    thread_id: String(thread.messages?.[0]?.thread_id ?? ''),
  };
  const form = { callback_url: 'https://partner.example.com/cb' };
  tokens = {
    top: (await client.post('/2.0/connect_tokens', { form })).body.token,
    account: (await client.post(`${accountPath}/connect_tokens`, { form })).body.token,
    source: (await client.post(`${sourcePath}/connect_tokens`, { form })).body.token,
  };
  for (const [name, value] of Object.entries(valid)) expect(value, `a valid ${name} to fuzz around`).not.toBe('');
  baseline = await settledSnapshot(server, { developer_ids: [workerDeveloper.developerId] });
});

test.afterAll(async () => {
  await dovecot?.stop();
});

const paramNames = (route: RouteContract) => Object.keys(route.params.shape);
const inputNames = (route: RouteContract) => Object.keys(route.input.shape);

function validSegment(route: RouteContract, name: string): string {
  if (name !== 'token') return valid[name] ?? '';
  return route.path.includes('/sources/')
    ? tokens.source
    : route.path.startsWith('/2.0/accounts')
      ? tokens.account
      : tokens.top;
}

function pathOf(route: RouteContract, override?: { name: string; segment: string }): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
    override?.name === name ? override.segment : validSegment(route, name),
  );
}

/** The other fields a POST needs, so a bad path is the only thing wrong with it. */
const validBody = (route: RouteContract): Record<string, string> =>
  'callback_url' in route.input.shape ? { callback_url: 'https://partner.example.com/cb' } : {};

/**
 * A path segment that names no resource. Not empty, `.` or `..` (fetch would resolve those into another,
 * valid route: a test of URL normalisation, not of our input handling).
 */
const badSegment: fc.Arbitrary<string> = fc
  .oneof(
    nastyText.map((text) => encodeURIComponent(wellFormed(text))),
    fc.string({
      unit: fc.constantFrom('%', 'e', 'E', 'd', '0', '8', 'F', 'c', '.', 'z', '+'),
      minLength: 1,
      maxLength: 12,
    }),
    fc.constantFrom('%00', '%ED%A0%80', '%C0%AF', '%FF', '%', '%2F', '%5C', 'a%2F..%2F..', '0'.repeat(24), '~'),
  )
  .filter((segment) => segment !== '' && !['.', '..'].includes(segment.toLowerCase().replaceAll('%2e', '.')));

function requestArbitrary(route: RouteContract): fc.Arbitrary<BadRequest> {
  const cases: fc.Arbitrary<BadRequest>[] = [];
  const params = paramNames(route);
  if (params.length) {
    cases.push(
      fc
        .record({ kind: fc.constant('path' as const), name: fc.constantFrom(...params), segment: badSegment })
        // `0` names an account's first source (the spec's alias): a valid label, not a bad one.
        .filter((bad) => !(bad.name === 'label' && ['0', '%30'].includes(bad.segment))),
    );
  }
  const names = inputNames(route);
  const name = names.length ? fc.oneof({ arbitrary: fc.constantFrom(...names), weight: 4 }, strangeName) : strangeName;
  const placements = route.method === 'GET' ? (['query'] as const) : (['form', 'json', 'multipart'] as const);
  cases.push(
    fc.constantFrom(...placements).chain((placement) =>
      fc.record({
        kind: fc.constant('input' as const),
        placement: fc.constant(placement),
        entries: fc.array(fc.tuple(name, placement === 'json' ? nastyJson : nastyText), { minLength: 1, maxLength: 4 }),
      }),
    ),
  );
  if (route.method !== 'GET') {
    const bytes = (text: string) => new TextEncoder().encode(text);
    cases.push(
      fc.record({
        kind: fc.constant('body' as const),
        contentType: fc.constantFrom(
          'application/x-www-form-urlencoded',
          'application/json',
          'application/merge-patch+json',
          'multipart/form-data; boundary=fuzz',
          'multipart/form-data',
          'text/plain',
          'application/xml',
          'application/octet-stream',
          '',
          'application/x-www-form-urlencoded; charset=latin1',
        ),
        body: fc.oneof(
          nastyText.map((text) => bytes(wellFormed(text))),
          fc.uint8Array({ minLength: 1, maxLength: 64 }),
          nastyText.map((text) => bytes(`{"callback_url":${JSON.stringify(wellFormed(text))}`)),
          fc.constantFrom(
            bytes('[1,2]'),
            bytes('null'),
            bytes('"text"'),
            bytes('a=%E0%A4&b=%'),
            bytes('--fuzz\r\nContent-Disposition: form-data; name="x"\r\n\r\n'),
            new Uint8Array([0xff, 0xfe, 0x3d]),
            new Uint8Array(65 * 1024).fill(0x61),
          ),
        ),
      }),
    );
  }
  return fc.oneof(...cases);
}

function requestOptions(route: RouteContract, bad: BadRequest): ApiRequest {
  if (bad.kind === 'path') return route.method === 'GET' ? {} : { form: validBody(route) };
  if (bad.kind === 'body') return { raw: { contentType: bad.contentType, body: bad.body } };
  if (bad.placement === 'json') return { json: Object.fromEntries(bad.entries) };
  const pairs = bad.entries.map(([name, value]) => [wellFormed(name), wellFormed(String(value))] as [string, string]);
  if (bad.placement === 'query') return { query: pairs };
  if (bad.placement === 'form') return { form: pairs };
  // Multipart cannot carry an empty name.
  return { multipart: Object.fromEntries(pairs.filter(([name]) => name !== '')) };
}

/**
 * What the app's own parser and the route's contract make of the request, run here: the status a refusal
 * must have (any 4xx for a bad path), or null when the request is acceptable (then a POST is not sent).
 */
async function expectedRefusal(route: RouteContract, bad: BadRequest, options: ApiRequest): Promise<'4xx' | null> {
  if (bad.kind === 'path') return '4xx';
  const headers: Record<string, string> = {};
  let body: BodyInit | undefined;
  const url = new URL(`http://localhost${route.path}`);
  if (options.query)
    for (const [name, value] of options.query as [string, string][]) url.searchParams.append(name, value);
  if (options.raw) {
    headers['content-type'] = options.raw.contentType;
    body = options.raw.body as BodyInit;
  } else if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form as [string, string][]).toString();
  } else if (options.multipart) {
    const data = new FormData();
    for (const [name, value] of Object.entries(options.multipart)) data.append(name, value);
    body = data;
  }
  if (headers['content-type'] === '') delete headers['content-type'];
  try {
    const parsed = await parseRequest(new Request(url, { method: route.method, headers, body }));
    return route.input.safeParse(parsed.input).success ? null : '4xx';
  } catch (error) {
    if (error instanceof ApiError) return '4xx';
    throw error;
  }
}

function expectRefused(response: ApiResponse, what: string): void {
  expect(response.status, `${what}: ${response.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(response.status, `${what}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
  // The fixture's client checked the error body against Context.IO's shape; the headers are ours.
  expect(response.headers.get('x-content-type-options'), what).toBe('nosniff');
  expect(response.headers.get('content-security-policy'), what).toContain("default-src 'none'");
}

const summarise = (bad: BadRequest) =>
  JSON.stringify(bad, (_, value) =>
    value instanceof Uint8Array ? Buffer.from(value).toString('latin1') : value,
  ).slice(0, 400);

const runsPerRoute = Math.ceil(FUZZ_BUDGET.api / API_ROUTES.length);
let sent = 0;

for (const route of API_ROUTES) {
  test(`${route.method} ${route.path}: generated bad input is refused in Context.IO's error format and stores nothing`, async ({
    workerDeveloper,
  }) => {
    test.setTimeout(180_000);
    let tried = 0;
    const property = fc.asyncProperty(requestArbitrary(route), async (bad) => {
      const options = requestOptions(route, bad);
      const refusal = await expectedRefusal(route, bad, options);
      // An acceptable request to a route that writes is not sent: it could rightly change data.
      if (refusal === null && route.method !== 'GET') return;
      const path = pathOf(route, bad.kind === 'path' ? bad : undefined);
      const response = await client.request(route.method, path, options);
      const what = `${route.method} ${path} ${summarise(bad)}`;
      expect(response.status, `${what}: ${response.text.slice(0, 300)}`).toBeLessThan(500);
      if (refusal === null) return;
      expectRefused(response, what);
      tried += 1;
    });
    const examples = (REGRESSIONS[`${route.method} ${route.path}`] ?? []).map((bad) => [bad] as [BadRequest]);
    // Acceptable GETs do not count; run until the route's share of refused inputs is reached.
    for (let round = 0; tried < runsPerRoute && round < 50; round += 1) {
      await fc.assert(property, {
        ...ONE_REQUEST_PER_RUN,
        numRuns: runsPerRoute - tried,
        examples: round === 0 ? examples : [],
      });
    }
    expect(tried, 'refused inputs tried on this route').toBeGreaterThanOrEqual(runsPerRoute);
    sent += tried;

    const after = await snapshotStoredData(server, { developer_ids: [workerDeveloper.developerId] });
    expect(changedTables(baseline, after), 'tables changed by refused requests').toEqual([]);
  });
}

test('the API suite tried its share of the 10,000 generated inputs', () => {
  // The shares add up to the floor per database; each suite proves it sent its own.
  expect(FUZZ_TOTAL).toBeGreaterThanOrEqual(10_000);
  expect(sent).toBeGreaterThanOrEqual(FUZZ_BUDGET.api);
});
