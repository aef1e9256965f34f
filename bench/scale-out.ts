/**
 * npx tsx bench/scale-out.ts [--duration 10] [--connections 32] [--mailboxes 4] [--messages 2500] [--skip-sync]
 *
 * Issue 14, target 5: one PostgreSQL, and
 *  - the API with one app instance and with two behind a round-robin proxy
 *    (bench/round-robin-proxy.ts), signed token gets and the trivial handler;
 *    one instance behind the same proxy too, so the proxy's own cost shows;
 *  - the initial sync of several mailboxes on a local Dovecot with one and
 *    with two `npm run worker` processes (messages/s over all of them).
 * Needs a build (npm run build), PostgreSQL's binaries or MAILPORT_BENCH_DATABASE_URL, and root for Dovecot.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startDovecot } from '../e2e/fixtures/dovecot';
import { bulkMessages } from '../e2e/fixtures/mailbox';
import { type BenchContext, call } from './client';
import { scenarios } from './scenarios';
import { createApiKey, freePort, root, runCleanups, startApp, startPrivatePostgres } from './server';
import { scratchDatabase, seedSource } from './sync';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    mailboxes: { type: 'string', default: '4' },
    messages: { type: 'string', default: '2500' },
    'skip-sync': { type: 'boolean' },
    'skip-api': { type: 'boolean' },
  },
});
const tsxCli = path.join(root, 'node_modules/tsx/dist/cli.mjs');

async function startProxy(upstreams: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, [tsxCli, 'bench/round-robin-proxy.ts', String(port), ...upstreams], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  while (!output.includes('proxy ready')) {
    if (child.exitCode !== null) throw new Error('the proxy exited');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `http://localhost:${port}`,
    stop: async () => {
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function measure(context: BenchContext, name: string): Promise<{ rps: number; p99: number }> {
  const scenario = scenarios.find((candidate) => candidate.name.startsWith(name));
  if (!scenario) throw new Error(`no scenario ${name}`);
  const state = scenario.setup ? await scenario.setup(context) : undefined;
  const made = scenario.request(context, state);
  const requests = Array.isArray(made) ? made : [made];
  const connections = Number(values.connections);
  await autocannon({ url: context.baseUrl, connections, duration: 2, requests });
  const result = await autocannon({ url: context.baseUrl, connections, duration: Number(values.duration), requests });
  if (result.non2xx > 0) throw new Error(`${name}: ${result.non2xx} non-2xx answers`);
  return { rps: result.requests.average, p99: result.latency.p99 };
}

async function benchApi(databaseUrl: string): Promise<void> {
  const masterKey = randomBytes(32).toString('hex');
  // Behind the proxy the clients sign the proxy's address; the apps accept it as the Host they were sent.
  const env = { DATABASE_URL: databaseUrl, MAILPORT_MASTER_KEY: masterKey, MAILPORT_DB_POOL_SIZE: '16' };
  const a = await startApp('postgres-a', env);
  const b = await startApp('postgres-b', env);
  try {
    const key = createApiKey(a, `scale-${randomBytes(4).toString('hex')}@example.com`);
    if (!key.ok) throw new Error(key.reason);
    const credentials = { key: key.key, secret: key.secret };
    const rows: string[][] = [];
    for (const [label, upstreams] of [
      ['1 instance, direct', null],
      ['1 instance behind the proxy', [a.baseUrl]],
      ['2 instances behind the proxy', [a.baseUrl, b.baseUrl]],
    ] as const) {
      const proxy = upstreams ? await startProxy([...upstreams]) : null;
      try {
        const context: BenchContext = { baseUrl: proxy?.url ?? a.baseUrl, credentials };
        if (proxy) await call(context, 'GET', '/2.0/connect_tokens'); // fails loudly if the proxy's address is refused
        console.log(`  scale-out: ${label}…`);
        const trivial = await measure(context, 'baseline');
        const get = await measure(context, 'token get');
        rows.push([
          label,
          trivial.rps.toFixed(0),
          String(trivial.p99),
          get.rps.toFixed(0),
          String(get.p99),
          `${(get.rps / trivial.rps).toFixed(2)}×`,
        ]);
      } finally {
        await proxy?.stop();
      }
    }
    console.log('\nAPI scale-out on one PostgreSQL (32 connections)');
    console.log('setup                          /livez req/s  p99 ms  token get req/s  p99 ms  ratio');
    for (const row of rows) {
      console.log(
        `${row[0]?.padEnd(29)}  ${row[1]?.padStart(12)}  ${row[2]?.padStart(6)}  ${row[3]?.padStart(15)}  ${row[4]?.padStart(6)}  ${row[5]}`,
      );
    }
  } finally {
    await a.stop();
    await b.stop();
  }
}

function startWorkerProcess(databaseUrl: string): ChildProcess {
  return spawn(process.execPath, [tsxCli, 'scripts/worker.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, MAILPORT_ALLOW_PRIVATE_HOSTS: '1', NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
}

async function benchSync(postgresUrl: string): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('the sync part starts Dovecot, which needs root');
  const mailboxes = Number(values.mailboxes);
  const size = Number(values.messages);
  const dovecot = await startDovecot();
  const rows: string[] = [];
  try {
    const users = Array.from({ length: mailboxes }, (_, i) => `scale${i}@mailport.test`);
    for (const user of users) await dovecot.addUser(user, 'bench-password');
    console.log(`  scale-out: appending ${mailboxes} × ${size} messages…`);
    for (const user of users) await dovecot.appendMessages(user, 'INBOX', bulkMessages(size));
    for (const workers of [1, 2, 1, 2]) {
      const databaseUrl = await scratchDatabase(postgresUrl);
      process.env.MAILPORT_MASTER_KEY ??= randomBytes(32).toString('hex');
      const sourceIds: string[] = [];
      for (const user of users) sourceIds.push(await seedSource(databaseUrl, dovecot, user));
      console.log(`  scale-out: sync with ${workers} worker(s)…`);
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      const started = performance.now();
      const children = Array.from({ length: workers }, () => startWorkerProcess(databaseUrl));
      try {
        for (;;) {
          const { rows: states } = await client.query<{ state: string; messages_synced: string }>(
            'SELECT state, messages_synced FROM source_syncs WHERE source_id = ANY($1)',
            [sourceIds],
          );
          if (states.some((row) => row.state === 'failed')) throw new Error('a sync failed');
          if (states.length === sourceIds.length && states.every((row) => row.state === 'done')) {
            const seconds = (performance.now() - started) / 1000;
            const messages = states.reduce((sum, row) => sum + Number(row.messages_synced), 0);
            rows.push(
              `${String(workers).padEnd(7)}  ${String(messages).padStart(8)}  ${seconds.toFixed(1).padStart(9)}  ${(messages / seconds).toFixed(0).padStart(10)}`,
            );
            break;
          }
          if (performance.now() - started > 15 * 60_000) throw new Error('the syncs took over 15 minutes');
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      } finally {
        await client.end();
        for (const child of children) {
          if (child.exitCode === null && child.pid) {
            const exited = once(child, 'exit');
            process.kill(-child.pid, 'SIGTERM');
            await exited;
          }
        }
      }
    }
  } finally {
    await dovecot.stop();
  }
  console.log(`\nsync scale-out: ${mailboxes} mailboxes × ${size} messages, one PostgreSQL (worker start-up included)`);
  console.log('workers  messages  seconds  messages/s');
  for (const row of rows) console.log(row);
}

async function main(): Promise<void> {
  let url = process.env.MAILPORT_BENCH_DATABASE_URL;
  let stop = () => {};
  if (!url) {
    const started = await startPrivatePostgres();
    if (!('url' in started)) throw new Error(`no PostgreSQL: ${started.reason}`);
    ({ url, stop } = started);
  }
  try {
    if (!values['skip-api']) await benchApi(url);
    if (!values['skip-sync']) await benchSync(url);
  } finally {
    stop();
  }
}

process.once('exit', runCleanups);
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('scale-out:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
