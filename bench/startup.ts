/**
 * npx tsx bench/startup.ts [--root DIR] [--port 3261] [--runs 3]
 *
 * Time from `next start` to the first answered /healthz on a brand-new embedded
 * data directory: what a newcomer waits for on the first `npm start`. Needs a
 * build (`npx next build`) in DIR. Prints one line per run and the median.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    root: { type: 'string', default: process.cwd() },
    port: { type: 'string', default: '3261' },
    runs: { type: 'string', default: '3' },
  },
});
const root = path.resolve(values.root);
const port = Number(values.port);

async function firstAnswer(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`no answer from ${url} in time`);
}

async function measureOnce(): Promise<number> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailport-startup-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MAILPORT_DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: '' };
  delete env.MAILPORT_MASTER_KEY;
  const started = performance.now();
  const child = spawn(path.join(root, 'node_modules/.bin/next'), ['start', '-p', String(port)], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    await firstAnswer(`http://127.0.0.1:${port}/healthz`, Date.now() + 120_000);
    return performance.now() - started;
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const times: number[] = [];
for (let run = 0; run < Number(values.runs); run++) {
  const ms = await measureOnce();
  times.push(ms);
  console.log(`run ${run + 1}: first /healthz answer after ${(ms / 1000).toFixed(2)} s`);
}
times.sort((a, b) => a - b);
console.log(`median: ${((times[Math.floor(times.length / 2)] ?? 0) / 1000).toFixed(2)} s`);
