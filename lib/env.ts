import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ensurePrivateDataDir } from './data-dir';

/**
 * The one place that reads process.env. Every setting is parsed with zod once;
 * a wrong value stops start-up with one message naming the variable.
 */

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()));

const flag = optionalString.pipe(z.enum(['0', '1', 'true', 'false'], { error: 'expected 0 or 1' }).optional());

const endpointUrl = optionalString.pipe(
  z.url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL' }).optional(),
);
// The issuer may carry Microsoft's `{tenantid}` placeholder, which z.url() would refuse.
const issuerText = optionalString.pipe(
  z
    .string()
    .regex(/^https?:\/\/[^\s]+$/, 'expected an absolute http(s) URL (Microsoft may use {tenantid})')
    .optional(),
);
const imapUrl = optionalString.pipe(
  z
    .string()
    .regex(/^imaps?:\/\/[^/:\s]+:\d{1,5}$/, 'expected imaps://host:port (TLS) or imap://host:port (plain)')
    .optional(),
);

/** An OAuth2 provider's endpoints (lib/oauth/providers.ts): the real ones unless overridden (tests, sovereign clouds). */
function oauthEndpointVariables<P extends 'GOOGLE' | 'MICROSOFT'>(provider: P) {
  return {
    [`MAILPORT_OAUTH_${provider}_AUTHORIZATION_URL`]: endpointUrl,
    [`MAILPORT_OAUTH_${provider}_TOKEN_URL`]: endpointUrl,
    [`MAILPORT_OAUTH_${provider}_ISSUER`]: issuerText,
    [`MAILPORT_OAUTH_${provider}_IMAP`]: imapUrl,
  } as Record<`MAILPORT_OAUTH_${P}_${'AUTHORIZATION_URL' | 'TOKEN_URL' | 'ISSUER' | 'IMAP'}`, typeof endpointUrl>;
}

/** Overrides of one OAuth2 provider's endpoints; unset ones keep the provider's real endpoints. */
export interface OAuthEndpointOverrides {
  authorizationUrl?: string;
  tokenUrl?: string;
  issuer?: string;
  /** imaps://host:port or imap://host:port: the mailbox server its tokens open. */
  imap?: string;
}

const envSchema = z.object({
  PORT: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a port number' })
      .int('expected a whole port number')
      .min(1, 'expected a port between 1 and 65535')
      .max(65535, 'expected a port between 1 and 65535')
      .default(3000),
  ),
  DATABASE_URL: optionalString.pipe(
    z
      .url({
        protocol: /^postgres(ql)?$/,
        error: 'expected a PostgreSQL URL such as postgresql://user:password@host:5432/mailport',
      })
      .optional(),
  ),
  MAILPORT_PUBLIC_URL: optionalString.pipe(
    z
      .url({ protocol: /^https?$/, error: 'expected an absolute http(s) URL such as https://mail.example.com' })
      .refine((value) => !/[?#]/.test(value), 'expected a base URL without a query or fragment')
      .optional(),
  ),
  MAILPORT_DATA_DIR: optionalString,
  MAILPORT_MASTER_KEY: optionalString,
  MAILPORT_DB_POOL_SIZE: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number' })
      .int()
      .min(1)
      .max(500, 'expected at most 500')
      .default(20),
  ),
  MAILPORT_ALLOW_PRIVATE_HOSTS: flag,
  MAILPORT_TEST_HOOKS: flag,
  MAILPORT_CALLBACK_RETRY_SECONDS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(1, 'expected at least 1 second')
      .max(3600, 'expected at most 3600 seconds')
      .default(10),
  ),
  MAILPORT_SYNC_JOB_TIMEOUT_SECONDS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(4, 'expected at least 4 seconds')
      .max(3600, 'expected at most 3600 seconds')
      .default(600),
  ),
  MAILPORT_DASHBOARD_SIGNUP: flag,
  MAILPORT_API_RATE_LIMIT_PER_MINUTE: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of requests per minute' })
      .int('expected a whole number of requests per minute')
      .min(0, 'expected 0 (no limit) or more requests per minute')
      .max(10_000_000, 'expected at most 10000000 requests per minute')
      .default(6000),
  ),
  MAILPORT_HEAP_GROWING_PERCENT: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a percentage' })
      .int('expected a whole percentage')
      .min(0, "expected 0 (V8's own growing factor) or more")
      .max(300, 'expected at most 300')
      .default(25),
  ),
  MAILPORT_TRUSTED_PROXY_HOPS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of proxies' })
      .int('expected a whole number of proxies')
      .min(0, 'expected 0 (no proxy) or more')
      .max(10, 'expected at most 10')
      .default(0),
  ),
  MAILPORT_CONTENT_CACHE_MB: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of MiB' })
      .int('expected a whole number of MiB')
      .min(0, 'expected 0 (off) or more MiB')
      .max(65536, 'expected at most 65536 MiB')
      .default(64),
  ),
  MAILPORT_CONTENT_CACHE_SECONDS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(0, 'expected 0 (off) or more seconds')
      .max(86400, 'expected at most 86400 seconds')
      .default(300),
  ),
  MAILPORT_CONTENT_MAX_INLINE_MB: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of MiB' })
      .positive('expected more than 0 MiB')
      .max(1024, 'expected at most 1024 MiB')
      .default(5),
  ),
  MAILPORT_IMAP_POOL_SIZE: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of connections' })
      .int('expected a whole number of connections')
      .min(1, 'expected at least 1 connection')
      .max(20, 'expected at most 20 connections')
      .default(3),
  ),
  MAILPORT_IMAP_TIMEOUT_SECONDS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(1, 'expected at least 1 second')
      .max(300, 'expected at most 300 seconds')
      .default(15),
  ),
  MAILPORT_POLL_SECONDS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(1, 'expected at least 1 second')
      .max(86400, 'expected at most 86400 seconds')
      .default(300),
  ),
  MAILPORT_LIVE_LEASE_SECONDS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(3, 'expected at least 3 seconds')
      .max(50, "expected at most 50 seconds (a dead worker's sources are taken over within 60 s)")
      .default(30),
  ),
  MAILPORT_IMAP_CONNECTIONS_PER_SERVER: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of connections' })
      .int('expected a whole number of connections')
      .min(1, 'expected at least 1 connection')
      .max(100000, 'expected at most 100000 connections')
      .default(200),
  ),
  MAILPORT_UNREACHABLE_SECONDS: optionalString.pipe(
    z.coerce
      .number<string | undefined>({ error: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(0, 'expected 0 (at once) or more seconds')
      .max(604800, 'expected at most 604800 seconds (a week)')
      .default(900),
  ),
  ...oauthEndpointVariables('GOOGLE'),
  ...oauthEndpointVariables('MICROSOFT'),
});

export type DatabaseConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'postgres'; url: string; poolSize: number };

export interface AppConfig {
  port: number;
  /** Base URL the clients use: builds resource URLs and the OAuth signature base string. */
  publicUrl: string;
  dataDir: string;
  database: DatabaseConfig;
  masterKey: Buffer;
  allowPrivateHosts: boolean;
  /** Test-only admin hooks: a movable domain clock and token redemption without IMAP. Never in production. */
  testHooks: boolean;
  jobs: {
    /** First retry delay of a failed callback; each later one doubles. */
    callbackRetrySeconds: number;
    /** A sync job running longer is taken for crashed and retried; each run stops itself well before. */
    syncJobTimeoutSeconds: number;
  };
  /** Whether anyone may create a developer account on the dashboard's sign-up page. */
  dashboardSignup: boolean;
  /** Signed /2.0 requests each API key may make per minute (shared by every instance); 0: no limit. */
  apiRateLimitPerMinute: number;
  /** Proxies in front of us whose X-Forwarded-For entries we believe (0: the socket's peer is the client). */
  trustedProxyHops: number;
  /** How far V8 lets the heap grow past what survived its last full collection, in percent; 0: V8's own factor. */
  heapGrowingPercent: number;
  /** Message content read live from IMAP (lib/message-content). */
  content: {
    /** Bytes of parsed bodies and headers kept in memory; 0 turns the cache off. */
    cacheBytes: number;
    /** How long a cached entry is served. */
    cacheSeconds: number;
    /** Bodies (and headers) above this are refused in JSON; /source and file content stream whatever the size. */
    maxInlineBytes: number;
    /** Live IMAP connections kept per source. */
    poolSize: number;
    /** Connect, command and per-chunk timeout of a live IMAP read. */
    imapTimeoutMs: number;
  };
  /** Live mailboxes (lib/mailbox-sync/live.ts, lib/server/live-sync.ts). */
  live: {
    /** Folders other than INBOX (which IDLEs) are looked at this often; each look is a fresh login. */
    pollMs: number;
    /** A live source's lease lasts this long unless renewed; a dead worker's sources are free after it. */
    leaseMs: number;
    /** IMAP connections one worker keeps open to one server (host:port) at most. */
    connectionsPerServer: number;
    /** A server unreachable this long (retried with backoff meanwhile) makes the source CONNECTION_IMPOSSIBLE. */
    unreachableMs: number;
  };
  /** Overrides of Google's and Microsoft's OAuth2 endpoints (lib/oauth/providers.ts has the real ones). */
  oauth: { google: OAuthEndpointOverrides; microsoft: OAuthEndpointOverrides };
}

const MASTER_KEY_HELP = 'expected 32 random bytes as 64 hex characters (generate one with: openssl rand -hex 32)';

/** Accepts 64 hex characters or base64 of exactly 32 bytes. */
export function parseMasterKey(raw: string, source: string): Buffer {
  const text = raw.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === 32) return bytes;
  }
  throw new ConfigError(`${source}: ${MASTER_KEY_HELP}`);
}

/** Embedded mode keeps a generated key beside the data so a newcomer configures nothing. */
function loadOrCreateEmbeddedMasterKey(dataDir: string): Buffer {
  const file = path.join(dataDir, 'master.key');
  ensurePrivateDataDir(dataDir);
  if (existsSync(file)) return parseMasterKey(readFileSync(file, 'utf8'), `MAILPORT_MASTER_KEY (from ${file})`);
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}

function parseEnv(env: Record<string, string | undefined>) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${variable}: ${issue?.message ?? 'invalid value'}`);
  }
  return parsed.data;
}

function databaseFrom(values: ReturnType<typeof parseEnv>): { dataDir: string; database: DatabaseConfig } {
  const dataDir = path.resolve(/*turbopackIgnore: true*/ values.MAILPORT_DATA_DIR ?? './data');
  const database: DatabaseConfig = values.DATABASE_URL
    ? { kind: 'postgres', url: values.DATABASE_URL, poolSize: values.MAILPORT_DB_POOL_SIZE }
    : { kind: 'embedded', dataDir };
  return { dataDir, database };
}

/** Only the database settings: migrations need no master key. */
export function parseDatabaseConfig(env: Record<string, string | undefined>): DatabaseConfig {
  return databaseFrom(parseEnv(env)).database;
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const values = parseEnv(env);
  const { dataDir, database } = databaseFrom(values);

  let masterKey: Buffer;
  if (values.MAILPORT_MASTER_KEY) {
    masterKey = parseMasterKey(values.MAILPORT_MASTER_KEY, 'Invalid configuration: MAILPORT_MASTER_KEY');
  } else if (database.kind === 'postgres') {
    throw new ConfigError(
      `Invalid configuration: MAILPORT_MASTER_KEY is required with DATABASE_URL (every instance must share it); ${MASTER_KEY_HELP}`,
    );
  } else {
    masterKey = loadOrCreateEmbeddedMasterKey(dataDir);
  }

  const publicUrl = (values.MAILPORT_PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, '');
  const allowPrivateHosts =
    values.MAILPORT_ALLOW_PRIVATE_HOSTS === '1' || values.MAILPORT_ALLOW_PRIVATE_HOSTS === 'true';
  const testHooks = values.MAILPORT_TEST_HOOKS === '1' || values.MAILPORT_TEST_HOOKS === 'true';
  const jobs = {
    callbackRetrySeconds: values.MAILPORT_CALLBACK_RETRY_SECONDS,
    syncJobTimeoutSeconds: values.MAILPORT_SYNC_JOB_TIMEOUT_SECONDS,
  };
  // Sign-up is on unless the operator turns it off (a private instance creates developers with keys:create).
  const dashboardSignup = values.MAILPORT_DASHBOARD_SIGNUP !== '0' && values.MAILPORT_DASHBOARD_SIGNUP !== 'false';
  return {
    port: values.PORT,
    publicUrl,
    dataDir,
    database,
    masterKey,
    allowPrivateHosts,
    testHooks,
    jobs,
    dashboardSignup,
    apiRateLimitPerMinute: values.MAILPORT_API_RATE_LIMIT_PER_MINUTE,
    trustedProxyHops: values.MAILPORT_TRUSTED_PROXY_HOPS,
    heapGrowingPercent: values.MAILPORT_HEAP_GROWING_PERCENT,
    content: {
      cacheBytes: values.MAILPORT_CONTENT_CACHE_MB * 1024 * 1024,
      cacheSeconds: values.MAILPORT_CONTENT_CACHE_SECONDS,
      maxInlineBytes: Math.floor(values.MAILPORT_CONTENT_MAX_INLINE_MB * 1024 * 1024),
      poolSize: values.MAILPORT_IMAP_POOL_SIZE,
      imapTimeoutMs: values.MAILPORT_IMAP_TIMEOUT_SECONDS * 1000,
    },
    live: {
      pollMs: values.MAILPORT_POLL_SECONDS * 1000,
      leaseMs: values.MAILPORT_LIVE_LEASE_SECONDS * 1000,
      connectionsPerServer: values.MAILPORT_IMAP_CONNECTIONS_PER_SERVER,
      unreachableMs: values.MAILPORT_UNREACHABLE_SECONDS * 1000,
    },
    oauth: {
      google: oauthOverrides(values, 'GOOGLE'),
      microsoft: oauthOverrides(values, 'MICROSOFT'),
    },
  };
}

function oauthOverrides(values: ReturnType<typeof parseEnv>, provider: 'GOOGLE' | 'MICROSOFT'): OAuthEndpointOverrides {
  return {
    authorizationUrl: values[`MAILPORT_OAUTH_${provider}_AUTHORIZATION_URL`],
    tokenUrl: values[`MAILPORT_OAUTH_${provider}_TOKEN_URL`],
    issuer: values[`MAILPORT_OAUTH_${provider}_ISSUER`],
    imap: values[`MAILPORT_OAUTH_${provider}_IMAP`],
  };
}

const globalForConfig = globalThis as unknown as { __mailportConfig?: AppConfig };

/** The process's configuration, parsed on first use. */
export function getConfig(): AppConfig {
  globalForConfig.__mailportConfig ??= parseConfig(process.env);
  return globalForConfig.__mailportConfig;
}

/** For tests that change the environment between cases. */
export function resetConfigForTests(): void {
  globalForConfig.__mailportConfig = undefined;
}

/** `next dev` (Next.js inlines NODE_ENV at build time): its React debugging needs eval, which the CSP allows then. */
export function isDevelopmentBuild(): boolean {
  return process.env.NODE_ENV === 'development';
}
