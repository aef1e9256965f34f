import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TEST_NODE_FLAGS } from '@/vitest.shared.ts';

/**
 * surviveDatabaseOutages in a real process: a connection failure a library
 * leaves unhandled is logged and the process lives on; any other unhandled
 * rejection still ends it.
 */

const root = path.resolve(import.meta.dirname, '../..');

function runWith(rejection: string) {
  const script = `
    import { surviveDatabaseOutages } from './lib/server/start.ts';
    surviveDatabaseOutages();
    Promise.reject(${rejection});
    setTimeout(() => console.log('still running'), 200);
  `;
  return spawnSync(process.execPath, [...TEST_NODE_FLAGS, '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('surviveDatabaseOutages', () => {
  it('keeps the process through a leaked connection failure, and logs it as an outage', () => {
    const run = runWith(`Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })`);
    expect(run.stdout).toContain('still running');
    expect(run.stderr).toContain('worker: database unavailable (ECONNREFUSED)');
    expect(run.status).toBe(0);
  });

  it('still ends the process on any other unhandled rejection', () => {
    const run = runWith(`new TypeError('a bug')`);
    expect(run.stdout).not.toContain('still running');
    expect(run.stderr).toContain('a bug');
    expect(run.status).not.toBe(0);
  });
});
