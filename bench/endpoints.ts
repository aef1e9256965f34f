/**
 * One `npm run bench` scenario per /2.0 route (issue 16, item 5), each a ratio
 * to the trivial handler like the scenarios in bench/scenarios.ts. Reads use the
 * bench mailbox (bench/mailbox.ts) or fixtures made through the API in setup;
 * writes are ones that can be repeated without piling anything up: an update
 * that sets what is already set, or a create followed by the delete of what it
 * created (a pair: its req/s counts both requests).
 *
 * The few routes that read Dovecot on every request (message source, flags,
 * file content) measure the mail server's round trip as well; body and headers
 * are read from Dovecot once, then from the app's content cache. Each says so
 * in its note.
 */
import { API_ROUTES } from '../app/2.0/_shared/routes';
import { type BenchContext, call, type PassState, type Scenario, signed, signedStep } from './client';
import type { BenchMailbox } from './mailbox';

const PARTNER = 'https://partner.example.com';
const TOKEN_FORM = { callback_url: `${PARTNER}/connected` };
/** Webhooks the bench creates match no message: the connect and content runs that follow must not deliver any. */
const WEBHOOK_FORM = { callback_url: `${PARTNER}/hooks`, filter_subject: 'bench: never matches' };
const OAUTH_SECRET = 'bench-oauth-client-secret';
const FROM_CACHE = 'Dovecot read once, then from the app’s content cache (one message)';

// biome-ignore lint/suspicious/noExplicitAny: each scenario carries its own setup state type.
type AnyScenario = Scenario<any>;

let serial = 0;
/** Unique within the run, for creates whose key must not repeat (account emails, OAuth client ids). */
const unique = () => `${process.pid}-${Date.now().toString(36)}-${(serial++).toString(36)}`;

function mailboxOf(context: BenchContext): Promise<BenchMailbox> {
  if (!context.mailbox) throw new Error('this scenario needs the bench mailbox (npm run bench provides it)');
  return context.mailbox();
}

const accountPath = (mailbox: BenchMailbox) => `/2.0/accounts/${mailbox.accountId}`;
const sourcePath = (mailbox: BenchMailbox) => `${accountPath(mailbox)}/sources/${encodeURIComponent(mailbox.label)}`;
const messagePath = (mailbox: BenchMailbox) => `${accountPath(mailbox)}/messages/${mailbox.messageId}`;
const filePath = (mailbox: BenchMailbox) => `${accountPath(mailbox)}/files/${mailbox.fileId}`;

/** A create and then the delete of what it answered, over and over on each connection. */
function createThenDelete(
  context: BenchContext,
  collection: string,
  form: () => Record<string, string>,
  idField: string,
  itemPath: (id: string) => string,
) {
  return [
    signedStep(
      context,
      'POST',
      () => ({ path: collection, form: form() }),
      (body: Record<string, unknown>, state: PassState) => {
        state.id = body[idField];
      },
    ),
    signedStep(context, 'DELETE', (state) =>
      typeof state.id === 'string' ? { path: itemPath(encodeURIComponent(state.id)) } : null,
    ),
  ];
}

/** A GET of something in the bench mailbox. */
function mailboxRead(
  name: string,
  route: string,
  path: (mailbox: BenchMailbox) => string,
  note?: string,
): Scenario<BenchMailbox> {
  return {
    name,
    routes: [`GET ${route}`],
    needsKey: true,
    needsMailbox: true,
    expectStatus: 200,
    ...(note && { note }),
    setup: mailboxOf,
    request: (context, mailbox: BenchMailbox) => signed(context, 'GET', path(mailbox)),
  };
}

/** The three levels of connect tokens: the new-account one is in scenarios.ts (get, list, create) but for its delete. */
function connectTokenLevel(level: 'account' | 'source'): AnyScenario[] {
  const route =
    level === 'account' ? '/2.0/accounts/{id}/connect_tokens' : '/2.0/accounts/{id}/sources/{label}/connect_tokens';
  const collection = (mailbox: BenchMailbox) =>
    `${level === 'account' ? accountPath(mailbox) : sourcePath(mailbox)}/connect_tokens`;
  const prefix = level === 'account' ? 'account token' : 'source token';
  const shown = level === 'account' ? '/2.0/accounts/:id/connect_tokens' : '…/sources/:label/connect_tokens';
  const withToken = async (context: BenchContext) => {
    const mailbox = await mailboxOf(context);
    const { token } = await call(context, 'POST', collection(mailbox), TOKEN_FORM);
    return { mailbox, token: token as string };
  };
  return [
    {
      name: `${prefix} get: GET ${shown}/:token`,
      routes: [`GET ${route}/{token}`],
      needsKey: true,
      needsMailbox: true,
      expectStatus: 200,
      setup: withToken,
      request: (context, { mailbox, token }: { mailbox: BenchMailbox; token: string }) =>
        signed(context, 'GET', `${collection(mailbox)}/${token}`),
    },
    {
      name: `${prefix} list: GET ${shown}`,
      routes: [`GET ${route}`],
      needsKey: true,
      needsMailbox: true,
      expectStatus: 200,
      setup: withToken,
      request: (context, { mailbox }: { mailbox: BenchMailbox }) => signed(context, 'GET', collection(mailbox)),
    },
    {
      name: `${prefix} create + delete: POST ${shown}, DELETE …/:token`,
      routes: [`POST ${route}`, `DELETE ${route}/{token}`],
      needsKey: true,
      needsMailbox: true,
      expectStatus: [201, 200],
      setup: mailboxOf,
      request: (context, mailbox: BenchMailbox) =>
        createThenDelete(
          context,
          collection(mailbox),
          () => TOKEN_FORM,
          'token',
          (id) => `${collection(mailbox)}/${id}`,
        ),
    },
  ];
}

/** Webhooks at the application's level or one account's (the same routes under two prefixes). */
function webhookLevel(level: 'app' | 'account'): AnyScenario[] {
  const route = level === 'app' ? '/2.0/webhooks' : '/2.0/accounts/{id}/webhooks';
  const shown = level === 'app' ? '/2.0/webhooks' : '/2.0/accounts/:id/webhooks';
  const prefix = level === 'app' ? 'app webhook' : 'account webhook';
  const needsMailbox = level === 'account';
  const collection = async (context: BenchContext) =>
    level === 'app' ? '/2.0/webhooks' : `${accountPath(await mailboxOf(context))}/webhooks`;
  const withWebhook = async (context: BenchContext) => {
    const path = await collection(context);
    const { webhook_id: id } = await call(context, 'POST', path, WEBHOOK_FORM);
    return { collection: path, id: id as string };
  };
  type Made = { collection: string; id: string };
  return [
    {
      name: `${prefix} list: GET ${shown}`,
      routes: [`GET ${route}`],
      needsKey: true,
      needsMailbox,
      expectStatus: 200,
      setup: withWebhook,
      request: (context, made: Made) => signed(context, 'GET', made.collection),
    },
    {
      name: `${prefix} get: GET ${shown}/:webhook_id`,
      routes: [`GET ${route}/{webhook_id}`],
      needsKey: true,
      needsMailbox,
      expectStatus: 200,
      setup: withWebhook,
      request: (context, made: Made) => signed(context, 'GET', `${made.collection}/${made.id}`),
    },
    {
      name: `${prefix} modify: POST ${shown}/:webhook_id (active=1)`,
      routes: [`POST ${route}/{webhook_id}`],
      needsKey: true,
      needsMailbox,
      expectStatus: 200,
      setup: withWebhook,
      request: (context, made: Made) => signed(context, 'POST', `${made.collection}/${made.id}`, { active: '1' }),
    },
    {
      name: `${prefix} create + delete: POST ${shown}, DELETE …/:webhook_id`,
      routes: [`POST ${route}`, `DELETE ${route}/{webhook_id}`],
      needsKey: true,
      needsMailbox,
      expectStatus: [201, 200],
      setup: collection,
      request: (context, path: string) =>
        createThenDelete(
          context,
          path,
          () => WEBHOOK_FORM,
          'webhook_id',
          (id) => `${path}/${id}`,
        ),
    },
  ];
}

const oauthProviderForm = () => ({
  type: 'GMAIL_OAUTH2',
  provider_consumer_key: `bench-${unique()}.apps.googleusercontent.com`,
  provider_consumer_secret: OAUTH_SECRET,
});

export const endpointScenarios: AnyScenario[] = [
  // Connect tokens (the new-account level's get, list and create are in scenarios.ts).
  {
    name: 'token create + delete: POST /2.0/connect_tokens, DELETE …/:token',
    routes: ['POST /2.0/connect_tokens', 'DELETE /2.0/connect_tokens/{token}'],
    needsKey: true,
    expectStatus: [201, 200],
    request: (context) =>
      createThenDelete(
        context,
        '/2.0/connect_tokens',
        () => TOKEN_FORM,
        'token',
        (id) => `/2.0/connect_tokens/${id}`,
      ),
  },
  ...connectTokenLevel('account'),
  ...connectTokenLevel('source'),

  // Accounts and sources.
  {
    name: 'accounts list: GET /2.0/accounts',
    routes: ['GET /2.0/accounts'],
    needsKey: true,
    needsMailbox: true,
    expectStatus: 200,
    setup: mailboxOf,
    request: (context) => signed(context, 'GET', '/2.0/accounts'),
  },
  mailboxRead('account get: GET /2.0/accounts/:id', '/2.0/accounts/{id}', accountPath),
  {
    name: 'account update: POST /2.0/accounts/:id (first_name)',
    routes: ['POST /2.0/accounts/{id}'],
    needsKey: true,
    needsMailbox: true,
    expectStatus: 200,
    setup: mailboxOf,
    request: (context, mailbox: BenchMailbox) => signed(context, 'POST', accountPath(mailbox), { first_name: 'Bench' }),
  },
  {
    name: 'account create + delete: POST /2.0/accounts (no source), DELETE /2.0/accounts/:id',
    routes: ['POST /2.0/accounts', 'DELETE /2.0/accounts/{id}'],
    needsKey: true,
    expectStatus: [201, 200],
    request: (context) =>
      createThenDelete(
        context,
        '/2.0/accounts',
        () => ({ email: `bench-${unique()}@example.com` }),
        'id',
        (id) => `/2.0/accounts/${id}`,
      ),
  },
  mailboxRead(
    'sources list: GET /2.0/accounts/:id/sources',
    '/2.0/accounts/{id}/sources',
    (mailbox) => `${accountPath(mailbox)}/sources`,
  ),
  mailboxRead('source get: GET …/sources/:label', '/2.0/accounts/{id}/sources/{label}', sourcePath),
  {
    name: 'source update: POST …/sources/:label (expunge_on_deleted_flag=0)',
    routes: ['POST /2.0/accounts/{id}/sources/{label}'],
    needsKey: true,
    needsMailbox: true,
    expectStatus: 200,
    setup: mailboxOf,
    request: (context, mailbox: BenchMailbox) =>
      signed(context, 'POST', sourcePath(mailbox), { expunge_on_deleted_flag: '0' }),
  },
  mailboxRead(
    'source folders: GET …/sources/:label/folders',
    '/2.0/accounts/{id}/sources/{label}/folders',
    (mailbox) => `${sourcePath(mailbox)}/folders`,
  ),
  mailboxRead(
    'sync status: GET …/sources/:label/sync',
    '/2.0/accounts/{id}/sources/{label}/sync',
    (mailbox) => `${sourcePath(mailbox)}/sync`,
  ),

  // Messages, threads, files of the bench mailbox.
  mailboxRead(
    'messages list: GET …/messages?limit=20 (bench mailbox)',
    '/2.0/accounts/{id}/messages',
    (mailbox) => `${accountPath(mailbox)}/messages?limit=20`,
  ),
  mailboxRead('message get: GET …/messages/:message_id', '/2.0/accounts/{id}/messages/{message_id}', messagePath),
  mailboxRead(
    'message body: GET …/messages/:message_id/body',
    '/2.0/accounts/{id}/messages/{message_id}/body',
    (mailbox) => `${messagePath(mailbox)}/body`,
    FROM_CACHE,
  ),
  mailboxRead(
    'message headers: GET …/messages/:message_id/headers',
    '/2.0/accounts/{id}/messages/{message_id}/headers',
    (mailbox) => `${messagePath(mailbox)}/headers`,
    FROM_CACHE,
  ),
  mailboxRead(
    'message source: GET …/messages/:message_id/source',
    '/2.0/accounts/{id}/messages/{message_id}/source',
    (mailbox) => `${messagePath(mailbox)}/source`,
    'streamed from Dovecot on every request (the message with report.pdf)',
  ),
  mailboxRead(
    'message flags: GET …/messages/:message_id/flags',
    '/2.0/accounts/{id}/messages/{message_id}/flags',
    (mailbox) => `${messagePath(mailbox)}/flags`,
    'asks Dovecot on every request',
  ),
  {
    name: 'set flags: POST …/messages/:message_id/flags (seen=1)',
    routes: ['POST /2.0/accounts/{id}/messages/{message_id}/flags'],
    needsKey: true,
    needsMailbox: true,
    expectStatus: 200,
    note: 'a STORE on Dovecot per request (the message is already \\Seen, so nothing changes)',
    setup: mailboxOf,
    request: (context, mailbox: BenchMailbox) =>
      signed(context, 'POST', `${messagePath(mailbox)}/flags`, { seen: '1' }),
  },
  mailboxRead(
    'message folders: GET …/messages/:message_id/folders',
    '/2.0/accounts/{id}/messages/{message_id}/folders',
    (mailbox) => `${messagePath(mailbox)}/folders`,
  ),
  mailboxRead(
    'message thread: GET …/messages/:message_id/thread',
    '/2.0/accounts/{id}/messages/{message_id}/thread',
    (mailbox) => `${messagePath(mailbox)}/thread`,
  ),
  mailboxRead(
    'threads list: GET /2.0/accounts/:id/threads',
    '/2.0/accounts/{id}/threads',
    (mailbox) => `${accountPath(mailbox)}/threads`,
  ),
  mailboxRead(
    'thread get: GET …/threads/:thread_id',
    '/2.0/accounts/{id}/threads/{thread_id}',
    (mailbox) => `${accountPath(mailbox)}/threads/${encodeURIComponent(mailbox.threadId)}`,
  ),
  mailboxRead(
    'files list: GET /2.0/accounts/:id/files',
    '/2.0/accounts/{id}/files',
    (mailbox) => `${accountPath(mailbox)}/files`,
  ),
  mailboxRead('file get: GET …/files/:file_id', '/2.0/accounts/{id}/files/{file_id}', filePath),
  mailboxRead(
    'file content: GET …/files/:file_id/content',
    '/2.0/accounts/{id}/files/{file_id}/content',
    (mailbox) => `${filePath(mailbox)}/content`,
    'report.pdf (40 KB) streamed from Dovecot on every request',
  ),
  mailboxRead(
    'file related: GET …/files/:file_id/related',
    '/2.0/accounts/{id}/files/{file_id}/related',
    (mailbox) => `${filePath(mailbox)}/related`,
  ),

  // Webhooks, discovery, OAuth providers.
  ...webhookLevel('app'),
  ...webhookLevel('account'),
  {
    name: 'discovery: GET /2.0/discovery?email=…@gmail.com',
    routes: ['GET /2.0/discovery'],
    needsKey: true,
    expectStatus: 200,
    note: 'answered from the bundled provider table (no DNS, no HTTP)',
    request: (context) => signed(context, 'GET', '/2.0/discovery?source_type=IMAP&email=jane.bench%40gmail.com'),
  },
  {
    name: 'oauth providers list: GET /2.0/oauth_providers',
    routes: ['GET /2.0/oauth_providers'],
    needsKey: true,
    expectStatus: 200,
    setup: (context) => call(context, 'POST', '/2.0/oauth_providers', oauthProviderForm()),
    request: (context) => signed(context, 'GET', '/2.0/oauth_providers'),
  },
  {
    name: 'oauth provider get: GET /2.0/oauth_providers/:key',
    routes: ['GET /2.0/oauth_providers/{provider_consumer_key}'],
    needsKey: true,
    expectStatus: 200,
    setup: async (context) =>
      (await call(context, 'POST', '/2.0/oauth_providers', oauthProviderForm())).provider_consumer_key as string,
    request: (context, key: string) => signed(context, 'GET', `/2.0/oauth_providers/${encodeURIComponent(key)}`),
  },
  {
    name: 'oauth provider create + delete: POST /2.0/oauth_providers, DELETE …/:key',
    routes: ['POST /2.0/oauth_providers', 'DELETE /2.0/oauth_providers/{provider_consumer_key}'],
    needsKey: true,
    expectStatus: [201, 200],
    request: (context) =>
      createThenDelete(
        context,
        '/2.0/oauth_providers',
        oauthProviderForm,
        'provider_consumer_key',
        (id) => `/2.0/oauth_providers/${id}`,
      ),
  },

  // The rest of /2.0: the generated OpenAPI document and the catch-all's 404.
  {
    name: 'OpenAPI document: GET /2.0/openapi.json (unsigned)',
    expectStatus: 200,
    request: () => ({ method: 'GET', path: '/2.0/openapi.json' }),
  },
  {
    name: 'unknown resource: GET /2.0/nothing-here (signed, 404)',
    needsKey: true,
    expectStatus: 404,
    request: (context) => signed(context, 'GET', '/2.0/nothing-here'),
  },

  // Last of the bench mailbox's: each request queues a sync that the app (embedded) or the worker
  // (PostgreSQL) then runs, which would weigh on whatever came after it.
  {
    name: 'sync request: POST …/sources/:label/sync',
    routes: ['POST /2.0/accounts/{id}/sources/{label}/sync'],
    needsKey: true,
    needsMailbox: true,
    expectStatus: 202,
    note: 'queues a sync (one at most waits); the app (embedded) or the worker (PostgreSQL) runs them meanwhile',
    setup: mailboxOf,
    request: (context, mailbox: BenchMailbox) => signed(context, 'POST', `${sourcePath(mailbox)}/sync`),
  },
];

/** Routes no scenario repeats, and why; the summary table lists them. */
export const NOT_MEASURED: Readonly<Record<string, string>> = {
  'POST /2.0/accounts/{id}/sources':
    'each request logs in to the mail server and queues a first sync, which would pile up under load; the connect-flow rows time a mailbox being added',
  'DELETE /2.0/accounts/{id}/sources/{label}': 'only once per source added (see the row above)',
};

const routeKey = (route: { method: string; path: string }) => `${route.method} ${route.path}`;

/**
 * Which API_ROUTES no scenario sends and NOT_MEASURED does not explain (`missing`), and which
 * routes the scenarios or NOT_MEASURED name that do not exist (`unknown`, e.g. after a rename).
 */
export function routeCoverage(scenarios: readonly Scenario<unknown>[]): { missing: string[]; unknown: string[] } {
  const known = new Set(API_ROUTES.map(routeKey));
  const measured = new Set(scenarios.flatMap((scenario) => scenario.routes ?? []));
  const named = [...measured, ...Object.keys(NOT_MEASURED)];
  return {
    missing: [...known].filter((route) => !measured.has(route) && !(route in NOT_MEASURED)),
    unknown: [...new Set(named)].filter((route) => !known.has(route)),
  };
}
