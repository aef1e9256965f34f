import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { type BenchContext, signedFetch } from '../bench/client';
import { createApiKey, type RunningApp, startApp } from '../bench/server';
import { testServer } from './fixtures/servers';

/**
 * The embedded database's disk fills up under a running app (a small tmpfs as
 * its data directory, filled by another file): creates answer 503 with
 * Retry-After in Context.IO's format and the log says "database unavailable",
 * never a 500; once space is freed writes work again without a restart, and
 * after a SIGKILL and a new start every acknowledged create is there. Needs
 * root and mount(8); once, in the pglite project.
 */
test('a full disk under the embedded database: 503 + Retry-After, then back, nothing lost', async ({}, testInfo) => {
  test.skip(testServer(testInfo.project.name).name !== 'pglite', 'it brings its own app: once is enough');
  test.setTimeout(240_000);
  const mount = mkdtempSync(path.join(tmpdir(), 'mailport-e2e-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=300m', 'tmpfs', mount], { encoding: 'utf8' });
  test.skip(mounted.status !== 0, `cannot mount a tmpfs here: ${mounted.stderr}`);
  const env = { MAILPORT_DATA_DIR: path.join(mount, 'data') };
  let app: RunningApp | undefined;
  try {
    app = await startApp('disk', env);
    const key = createApiKey(app, 'disk@example.com');
    if (!key.ok) throw new Error(key.reason);
    const context: BenchContext = { baseUrl: app.baseUrl, credentials: { key: key.key, secret: key.secret } };
    const create = async (label: string) => {
      const response = await signedFetch(context, 'POST', '/2.0/connect_tokens', {
        callback_url: `https://partner.example.com/${label}?pad=${'x'.repeat(1500)}`,
      });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.text() };
    };
    const acknowledged: string[] = [];
    const keep = (answer: { status: number; body: string }) => {
      if (answer.status === 201) acknowledged.push((JSON.parse(answer.body) as { token: string }).token);
    };
    for (let i = 0; i < 20; i++) keep(await create(`before-${i}`));
    expect(acknowledged).toHaveLength(20);

    const filler = openSync(path.join(mount, 'filler'), 'w');
    try {
      for (;;) writeSync(filler, Buffer.alloc(1 << 20));
    } catch (error) {
      expect((error as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      closeSync(filler);
    }
    const full: { status: number; retryAfter: string | null; body: string }[] = [];
    for (let i = 0; i < 300; i++) {
      const answer = await create(`full-${i}`);
      keep(answer);
      full.push(answer);
    }
    const refused = full.filter((answer) => answer.status !== 201);
    // What fitted in the last free pages was stored and acknowledged; the rest refused as a retryable outage.
    expect(refused.length).toBeGreaterThan(200);
    for (const answer of refused) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe('5');
      expect(answer.body).toMatch(/^\{"type":"error","value":"the database is temporarily unavailable[^"]*"\}$/);
    }
    expect(app.stderrTail()).toMatch(/database unavailable \([^)]*53100/);
    expect(app.stderrTail()).not.toMatch(/unexpected error/);

    rmSync(path.join(mount, 'filler'));
    for (let i = 0; i < 5; i++) {
      const answer = await create(`after-${i}`);
      expect(answer.status).toBe(201);
      keep(answer);
    }

    // A crash after the episode, then a new start on the same data: every acknowledged create is there.
    await app.kill();
    app = await startApp('disk-again', env);
    const again: BenchContext = { ...context, baseUrl: app.baseUrl };
    const stored = new Set<string>();
    for (let offset = 0; ; offset += 100) {
      const page = await signedFetch(again, 'GET', `/2.0/connect_tokens?limit=100&offset=${offset}`);
      expect(page.status).toBe(200);
      const rows = (await page.json()) as { token: string }[];
      for (const row of rows) stored.add(row.token);
      if (rows.length < 100) break;
    }
    expect(acknowledged.filter((token) => !stored.has(token))).toEqual([]);
    console.log(
      `[disk] ${acknowledged.length} acknowledged, ${refused.length} refused with 503 while full, all stored`,
    );
  } finally {
    await app?.stop();
    spawnSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  }
});
