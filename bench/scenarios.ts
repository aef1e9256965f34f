import { call, type Scenario, signed } from './client';
import { endpointScenarios } from './endpoints';
import { messageAccounts } from './messages';

/**
 * What `npm run bench` measures. The baseline scenario is a trivial route
 * handler; every other one is reported as a ratio to it, measured in the same
 * app on the same database (framework overhead dominates cheap handlers).
 */

const TOKEN_FORM = { callback_url: 'https://partner.example.com/connected', email: 'jane@example.com' };

// biome-ignore lint/suspicious/noExplicitAny: each scenario carries its own setup state type.
export const scenarios: Scenario<any>[] = [
  {
    name: 'baseline: GET /livez (trivial route handler)',
    baseline: true,
    expectStatus: 200,
    request: () => ({ method: 'GET', path: '/livez' }),
  },
  {
    name: 'token get: GET /2.0/connect_tokens/:token',
    routes: ['GET /2.0/connect_tokens/{token}'],
    needsKey: true,
    expectStatus: 200,
    target: 'PostgreSQL: ≥ 0.7×, p99 ≤ 50 ms',
    setup: async (context) => (await call(context, 'POST', '/2.0/connect_tokens', TOKEN_FORM)).token as string,
    request: (context, token: string) => signed(context, 'GET', `/2.0/connect_tokens/${token}`),
  },
  {
    name: 'token list: GET /2.0/connect_tokens (25 tokens)',
    routes: ['GET /2.0/connect_tokens'],
    needsKey: true,
    expectStatus: 200,
    target: 'p99 ≤ 50 ms',
    setup: async (context) => {
      const existing = (await call(context, 'GET', '/2.0/connect_tokens')) as unknown[];
      for (let i = existing.length; i < 25; i++) await call(context, 'POST', '/2.0/connect_tokens', TOKEN_FORM);
    },
    request: (context) => signed(context, 'GET', '/2.0/connect_tokens?limit=25'),
  },
  {
    name: 'token create: POST /2.0/connect_tokens',
    routes: ['POST /2.0/connect_tokens'],
    needsKey: true,
    expectStatus: 201,
    target: 'PostgreSQL: ≥ 0.5×, p99 ≤ 50 ms',
    request: (context) => signed(context, 'POST', '/2.0/connect_tokens', TOKEN_FORM),
  },
  // One per /2.0 route, on the bench mailbox and the key's own resources.
  ...endpointScenarios,
  // After the routes: its setup gives the key's developer 50 accounts of 10,000 messages, which
  // would change what the routes above measure (GET /2.0/accounts counts every listed account's messages).
  {
    name: 'messages list: GET …/messages?limit=20 (50 accounts × 10,000)',
    routes: ['GET /2.0/accounts/{id}/messages'],
    needsKey: true,
    needsPostgres: true,
    expectStatus: 200,
    target: 'PostgreSQL: ≥ 0.5×',
    setup: (context) => messageAccounts(context),
    // One request per account, in turn.
    request: (context, accounts: string[]) =>
      accounts.map((id) => signed(context, 'GET', `/2.0/accounts/${id}/messages?limit=20`)),
  },
];
