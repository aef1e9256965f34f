import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './env';

const HEX_KEY = 'ab'.repeat(32);
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'mailport-env-'));

function configError(env: Record<string, string | undefined>): string {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('parseConfig', () => {
  it('keeps dashboard sign-up on unless MAILPORT_DASHBOARD_SIGNUP turns it off, and names a wrong value', () => {
    const base = { MAILPORT_DATA_DIR: tempDir(), MAILPORT_MASTER_KEY: HEX_KEY };
    expect(parseConfig(base).dashboardSignup).toBe(true);
    expect(parseConfig({ ...base, MAILPORT_DASHBOARD_SIGNUP: '0' }).dashboardSignup).toBe(false);
    expect(parseConfig({ ...base, MAILPORT_DASHBOARD_SIGNUP: 'false' }).dashboardSignup).toBe(false);
    expect(parseConfig({ ...base, MAILPORT_DASHBOARD_SIGNUP: '1' }).dashboardSignup).toBe(true);
    expect(configError({ ...base, MAILPORT_DASHBOARD_SIGNUP: 'off' })).toBe(
      'Invalid configuration: MAILPORT_DASHBOARD_SIGNUP: expected 0 or 1',
    );
  });

  it('trusts no proxy unless MAILPORT_TRUSTED_PROXY_HOPS says how many, and names a wrong value', () => {
    const base = { MAILPORT_DATA_DIR: tempDir(), MAILPORT_MASTER_KEY: HEX_KEY };
    expect(parseConfig(base).trustedProxyHops).toBe(0);
    expect(parseConfig({ ...base, MAILPORT_TRUSTED_PROXY_HOPS: '2' }).trustedProxyHops).toBe(2);
    expect(configError({ ...base, MAILPORT_TRUSTED_PROXY_HOPS: '-1' })).toBe(
      'Invalid configuration: MAILPORT_TRUSTED_PROXY_HOPS: expected 0 (no proxy) or more',
    );
    expect(configError({ ...base, MAILPORT_TRUSTED_PROXY_HOPS: 'yes' })).toBe(
      'Invalid configuration: MAILPORT_TRUSTED_PROXY_HOPS: expected a number of proxies',
    );
  });

  it('limits heap growth to 25% past the live heap unless MAILPORT_HEAP_GROWING_PERCENT says otherwise (0: V8 decides)', () => {
    const base = { MAILPORT_DATA_DIR: tempDir(), MAILPORT_MASTER_KEY: HEX_KEY };
    expect(parseConfig(base).heapGrowingPercent).toBe(25);
    expect(parseConfig({ ...base, MAILPORT_HEAP_GROWING_PERCENT: '0' }).heapGrowingPercent).toBe(0);
    expect(parseConfig({ ...base, MAILPORT_HEAP_GROWING_PERCENT: '100' }).heapGrowingPercent).toBe(100);
    expect(configError({ ...base, MAILPORT_HEAP_GROWING_PERCENT: '12.5' })).toBe(
      'Invalid configuration: MAILPORT_HEAP_GROWING_PERCENT: expected a whole percentage',
    );
    expect(configError({ ...base, MAILPORT_HEAP_GROWING_PERCENT: '1000' })).toBe(
      'Invalid configuration: MAILPORT_HEAP_GROWING_PERCENT: expected at most 300',
    );
  });

  it('reads the message-content cache, limits and IMAP pool, and names a wrong value', () => {
    const base = { MAILPORT_DATA_DIR: tempDir(), MAILPORT_MASTER_KEY: HEX_KEY };
    expect(parseConfig(base).content).toEqual({
      cacheBytes: 64 * 1024 * 1024,
      cacheSeconds: 300,
      maxInlineBytes: 5 * 1024 * 1024,
      poolSize: 3,
      imapTimeoutMs: 15_000,
    });
    const set = parseConfig({
      ...base,
      MAILPORT_CONTENT_CACHE_MB: '0',
      MAILPORT_CONTENT_CACHE_SECONDS: '60',
      MAILPORT_CONTENT_MAX_INLINE_MB: '0.5',
      MAILPORT_IMAP_POOL_SIZE: '1',
      MAILPORT_IMAP_TIMEOUT_SECONDS: '5',
    }).content;
    expect(set).toEqual({
      cacheBytes: 0,
      cacheSeconds: 60,
      maxInlineBytes: 512 * 1024,
      poolSize: 1,
      imapTimeoutMs: 5000,
    });
    expect(configError({ ...base, MAILPORT_IMAP_POOL_SIZE: '0' })).toBe(
      'Invalid configuration: MAILPORT_IMAP_POOL_SIZE: expected at least 1 connection',
    );
    expect(configError({ ...base, MAILPORT_CONTENT_CACHE_MB: 'lots' })).toBe(
      'Invalid configuration: MAILPORT_CONTENT_CACHE_MB: expected a number of MiB',
    );
  });

  it('defaults to embedded mode on port 3000 with a public URL on localhost', () => {
    const dataDir = tempDir();
    const config = parseConfig({ MAILPORT_DATA_DIR: dataDir });
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.database).toEqual({ kind: 'embedded', dataDir });
    expect(config.allowPrivateHosts).toBe(false);
  });

  it('generates the embedded master key once, with mode 0600, and reuses it', () => {
    const dataDir = tempDir();
    const first = parseConfig({ MAILPORT_DATA_DIR: dataDir }).masterKey;
    const file = path.join(dataDir, 'master.key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.toString('hex'));
    expect(parseConfig({ MAILPORT_DATA_DIR: dataDir }).masterKey.equals(first)).toBe(true);
    expect(first.length).toBe(32);
  });

  it('uses PostgreSQL with DATABASE_URL and requires the master key there', () => {
    const url = 'postgresql://mailport:secret@db.internal:5432/mailport';
    expect(configError({ DATABASE_URL: url })).toMatch(
      /^Invalid configuration: MAILPORT_MASTER_KEY is required with DATABASE_URL/,
    );
    const config = parseConfig({ DATABASE_URL: url, MAILPORT_MASTER_KEY: HEX_KEY, MAILPORT_DB_POOL_SIZE: '32' });
    expect(config.database).toEqual({ kind: 'postgres', url, poolSize: 32 });
    expect(config.masterKey.toString('hex')).toBe(HEX_KEY);
  });

  it('accepts a base64 master key of 32 bytes', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(parseConfig({ MAILPORT_DATA_DIR: tempDir(), MAILPORT_MASTER_KEY: key }).masterKey).toEqual(
      Buffer.alloc(32, 7),
    );
  });

  it('names the variable and what is expected for each wrong value', () => {
    expect(configError({ DATABASE_URL: 'mysql://localhost/x', MAILPORT_MASTER_KEY: HEX_KEY })).toMatch(
      /^Invalid configuration: DATABASE_URL: expected a PostgreSQL URL/,
    );
    expect(configError({ DATABASE_URL: 'not a url', MAILPORT_MASTER_KEY: HEX_KEY })).toMatch(/DATABASE_URL/);
    expect(configError({ MAILPORT_DATA_DIR: tempDir(), MAILPORT_MASTER_KEY: 'short' })).toMatch(
      /^Invalid configuration: MAILPORT_MASTER_KEY: expected 32 random bytes as 64 hex characters/,
    );
    expect(configError({ PORT: 'eighty' })).toMatch(/^Invalid configuration: PORT: expected a port number/);
    expect(configError({ PORT: '70000' })).toMatch(/^Invalid configuration: PORT: expected a port between 1 and 65535/);
    expect(configError({ MAILPORT_PUBLIC_URL: 'ftp://example.com' })).toMatch(
      /^Invalid configuration: MAILPORT_PUBLIC_URL: expected an absolute http\(s\) URL/,
    );
    expect(configError({ MAILPORT_PUBLIC_URL: 'https://example.com/?x=1' })).toMatch(
      /MAILPORT_PUBLIC_URL: expected a base URL without a query/,
    );
    expect(configError({ MAILPORT_ALLOW_PRIVATE_HOSTS: 'yes' })).toMatch(
      /MAILPORT_ALLOW_PRIVATE_HOSTS: expected 0 or 1/,
    );
  });

  it('derives the public URL from PORT and strips a trailing slash from a configured one', () => {
    const dataDir = tempDir();
    expect(parseConfig({ MAILPORT_DATA_DIR: dataDir, PORT: '4100' }).publicUrl).toBe('http://localhost:4100');
    expect(
      parseConfig({ MAILPORT_DATA_DIR: dataDir, MAILPORT_PUBLIC_URL: 'https://mail.example.com/' }).publicUrl,
    ).toBe('https://mail.example.com');
  });
});
