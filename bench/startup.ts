/**
 * npx tsx bench/startup.ts [--root DIR]... [--port 3261] [--runs 3]
 *
 * Time from `npm start` (node scripts/start.mjs, as npm runs it) to the first
 * /healthz 200 on a brand-new embedded data directory: what a newcomer waits for
 * on the first start. Needs a build (`npm run build`) in each DIR. With several
 * --root options the runs interleave (A B A B …), so a machine whose load
 * changes meanwhile treats both alike. Each run also reports the server's CPU
 * time up to that answer (all threads, from /proc), which load does not inflate.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    root: { type: 'string', multiple: true, default: [process.cwd()] },
    port: { type: 'string', default: '3261' },
    runs: { type: 'string', default: '3' },
  },
});
const roots = values.root.map((root) => path.resolve(root));
const port = Number(values.port);
const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** user + system CPU seconds of a process so far (all its threads); undefined off Linux. */
function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

async function firstAnswer(url: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no answer from ${url} in time`);
}

interface Run {
  seconds: number;
  cpu: number | undefined;
}

async function measureOnce(root: string): Promise<Run> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'mailport-startup-'));
  const env: NodeJS.ProcessEnv = { ...process.env, MAILPORT_DATA_DIR: dataDir, PORT: String(port), DATABASE_URL: '' };
  delete env.MAILPORT_MASTER_KEY;
  const started = performance.now();
  // What `npm start` runs, without npm's own wrapper process in front.
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: root,
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  try {
    await firstAnswer(`http://127.0.0.1:${port}/healthz`, Date.now() + 120_000);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, cpu: child.pid ? cpuSeconds(child.pid) : undefined };
  } finally {
    if (child.pid) process.kill(-child.pid, 'SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const median = (numbers: number[]) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)] ?? 0;

const results = new Map<string, Run[]>(roots.map((root) => [root, []]));
for (let run = 0; run < Number(values.runs); run++) {
  for (const root of roots) {
    const result = await measureOnce(root);
    results.get(root)?.push(result);
    const cpu = result.cpu === undefined ? '' : `, ${result.cpu.toFixed(2)} s CPU`;
    console.log(`${root} run ${run + 1}: first /healthz 200 after ${result.seconds.toFixed(2)} s${cpu}`);
  }
}
for (const [root, runs] of results) {
  const cpus = runs.flatMap((run) => (run.cpu === undefined ? [] : [run.cpu]));
  const cpu = cpus.length > 0 ? `, CPU median ${median(cpus).toFixed(2)} s` : '';
  console.log(`${root}: median ${median(runs.map((run) => run.seconds)).toFixed(2)} s${cpu} (${runs.length} runs)`);
}
