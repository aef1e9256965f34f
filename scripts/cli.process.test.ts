import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchPostgresDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { TEST_NODE_FLAGS } from '../vitest.shared.ts';
import { compileScripts } from './testing';

/** The operator commands, run as a person would: real processes, real databases. */

const MASTER_KEY = 'aa'.repeat(32);

type Script = 'keys-create' | 'db-migrate';
let compiled: { scripts: Record<Script, string>; remove: () => void };
beforeAll(async () => {
  compiled = await compileScripts<Script>(['keys-create', 'db-migrate']);
});
afterAll(() => compiled?.remove());

function run(script: Script, args: string[], env: Record<string, string | undefined>) {
  const cleanEnv = { ...process.env, DATABASE_URL: undefined, MAILPORT_MASTER_KEY: undefined, ...env };
  const result = spawnSync(process.execPath, [...TEST_NODE_FLAGS, compiled.scripts[script], ...args], {
    env: cleanEnv as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const freshDataDir = () => mkdtempSync(path.join(tmpdir(), 'mailport-cli-'));

/** The committed migration folders, oldest first: what a fresh database must receive. */
const committedMigrations = readdirSync('prisma/migrations', { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function expectOneJsonLineOfCredentials(stdout: string) {
  const lines = stdout.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  const body = JSON.parse(lines[0] ?? '');
  expect(Object.keys(body)).toEqual(['developer_id', 'key', 'secret']);
  expect(body.developer_id).toMatch(/^[0-9a-f]{24}$/);
  expect(body.key).toMatch(/^[0-9a-z]{20}$/);
  expect(body.secret).toMatch(/^[0-9a-zA-Z]{32}$/);
  return body as { developer_id: string; key: string; secret: string };
}

describe('keys:create on the embedded database', () => {
  it('prints exactly one line of JSON and keeps the developer for the next key', () => {
    const dataDir = freshDataDir();
    const args = ['--email', 'Ops@Example.com', '--app-name', 'Acme CRM'];
    const first = run('keys-create', args, { MAILPORT_DATA_DIR: dataDir });
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    const one = expectOneJsonLineOfCredentials(first.stdout);
    const two = expectOneJsonLineOfCredentials(run('keys-create', args, { MAILPORT_DATA_DIR: dataDir }).stdout);
    expect(two.developer_id).toBe(one.developer_id);
    expect(two.key).not.toBe(one.key);
  });

  it('names the flag that is wrong, and prints nothing on stdout', () => {
    const result = run('keys-create', ['--email', 'not-an-email', '--app-name', 'X'], {
      MAILPORT_DATA_DIR: freshDataDir(),
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^keys:create: --email: expected an email address/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('says plainly what to do when another process holds the data directory', () => {
    const dataDir = freshDataDir();
    // Our own test process stands in for a running app that publishes no admin channel.
    writeFileSync(path.join(dataDir, 'mailport.lock'), String(process.pid));
    const result = run('keys-create', ['--email', 'a@example.com', '--app-name', 'X'], {
      MAILPORT_DATA_DIR: dataDir,
    });
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/in use by a running Mailport/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('stops with one message naming a wrong variable', () => {
    const result = run('keys-create', ['--email', 'a@example.com', '--app-name', 'X'], {
      MAILPORT_DATA_DIR: freshDataDir(),
      MAILPORT_MASTER_KEY: 'too-short',
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      'keys:create: Invalid configuration: MAILPORT_MASTER_KEY: expected 32 random bytes as 64 hex characters (generate one with: openssl rand -hex 32)',
    );
  });
});

describe('db:migrate on the embedded database', () => {
  it('applies the migrations once', () => {
    // A project root without node_modules/.cache: no template, so initdb and every migration run.
    const root = mkdtempSync(path.join(tmpdir(), 'mailport-cli-root-'));
    cpSync('prisma', path.join(root, 'prisma'), { recursive: true });
    const env = { MAILPORT_DATA_DIR: freshDataDir(), MAILPORT_PROJECT_ROOT: root };
    const first = run('db-migrate', [], env);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(
      `applied ${committedMigrations.length} migration(s): ${committedMigrations.join(', ')}`,
    );
    expect(committedMigrations[0]).toMatch(/^\d{14}_init$/);
    const second = run('db-migrate', [], env);
    expect(second.stdout).toMatch(/already up to date/);
  }, 120_000);

  it('a new data directory starts from the migrated template, already up to date', () => {
    const result = run('db-migrate', [], { MAILPORT_DATA_DIR: freshDataDir() });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/already up to date/);
  });

  it('stops at a failing migration, naming it, and applies it again once marked rolled back', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'mailport-cli-root-'));
    cpSync('prisma', path.join(root, 'prisma'), { recursive: true });
    // This project's node_modules: its empty PGlite template saves an initdb (the test above covers that
    // path); the migrated one is named after other migrations, so every migration still runs.
    symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
    const broken = path.join(root, 'prisma/migrations/29990101000000_broken/migration.sql');
    mkdirSync(path.dirname(broken));
    writeFileSync(broken, 'ALTER TABLE no_such_table ADD COLUMN x INT;\n');
    const env = { MAILPORT_DATA_DIR: freshDataDir(), MAILPORT_PROJECT_ROOT: root };

    const failed = run('db-migrate', [], env);
    expect(failed.status).toBe(1);
    expect(failed.stderr.trim()).toBe(
      'db:migrate: migration 29990101000000_broken failed and was rolled back: relation "no_such_table" does not exist',
    );
    const blocked = run('db-migrate', [], env);
    expect(blocked.status).toBe(1);
    expect(blocked.stderr).toMatch(/29990101000000_broken failed earlier .*--rolled-back 29990101000000_broken/);

    writeFileSync(broken, 'CREATE TABLE fixed_later (id INT);\n');
    const resolved = run('db-migrate', ['--rolled-back', '29990101000000_broken'], env);
    expect(resolved.stderr).toBe('');
    expect(resolved.status).toBe(0);
    const retried = run('db-migrate', [], env);
    expect(retried.stdout).toMatch(/applied 1 migration\(s\): 29990101000000_broken$/m);
    // Four commands in a row: give a busy machine room.
  }, 180_000);
});

describe.runIf(testDatabaseKinds().includes('postgres'))('db:migrate and keys:create on PostgreSQL', () => {
  it('migrates, then creates a key that lands in that database', async () => {
    const scratch = await createScratchPostgresDatabase();
    try {
      const env = { DATABASE_URL: scratch.url, MAILPORT_MASTER_KEY: MASTER_KEY, MAILPORT_DATA_DIR: freshDataDir() };
      const migrated = run('db-migrate', [], env);
      expect(migrated.stderr).toBe('');
      expect(migrated.stdout).toContain(`PostgreSQL: applied ${committedMigrations.length} migration(s)`);
      const created = expectOneJsonLineOfCredentials(
        run('keys-create', ['--email', 'pg@example.com', '--app-name', 'PG App'], env).stdout,
      );
      const { default: pg } = await import('pg');
      const client = new pg.Client({ connectionString: scratch.url });
      await client.connect();
      const rows = await client.query('SELECT developer_id, secret_ciphertext FROM api_keys WHERE consumer_key = $1', [
        created.key,
      ]);
      await client.end();
      expect(rows.rows[0]?.developer_id).toBe(created.developer_id);
      expect(rows.rows[0]?.secret_ciphertext).not.toContain(created.secret);
    } finally {
      await scratch.drop();
    }
  });

  it('reports an unreachable database in one line naming DATABASE_URL', () => {
    const result = run('keys-create', ['--email', 'a@example.com', '--app-name', 'X'], {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere',
      MAILPORT_MASTER_KEY: MASTER_KEY,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/could not connect to the database in DATABASE_URL \(ECONNREFUSED/);
  });

  it('requires the master key with DATABASE_URL', () => {
    const result = run('keys-create', ['--email', 'a@example.com', '--app-name', 'X'], {
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/nowhere',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/MAILPORT_MASTER_KEY is required with DATABASE_URL/);
  });
});
