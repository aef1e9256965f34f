/**
 * The app under test for `npm run bench`: built when stale, started with
 * `npm start`'s server (scripts/start.mjs) on a free port in its own process group, and stopped, group and
 * all, on every way out (end, error, Ctrl-C).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { processTree } from '../e2e/fixtures/dovecot';
import { findCurrentCompiledEdge } from '../scripts/compiled-edge.mjs';

/** An expected failure: reported as one message, without a stack trace. */
export class BenchError extends Error {
  override name = 'BenchError';
}

export const root = path.resolve(import.meta.dirname, '..');
const nextBin = path.join(root, 'node_modules/next/dist/bin/next');
const startScript = path.join(root, 'scripts/start.mjs');
const tsxCli = path.join(root, 'node_modules/tsx/dist/cli.mjs');
const HEALTH_TIMEOUT_MS = 60_000;

// Synchronous, so they can also run from a signal handler or process.on('exit').
const cleanups = new Set<() => void>();

export function runCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // Best effort: the process is on its way out.
    }
  }
}

function tail(text: string, lines = 30): string {
  return text.trim().split('\n').slice(-lines).join('\n');
}

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const stat = statSync(entry);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const name of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)));
  return newest;
}

export function buildApp(when: 'always' | 'if-stale' | 'never'): void {
  if (when === 'never') return;
  const buildId = path.join(root, '.next/BUILD_ID');
  if (when === 'if-stale' && existsSync(buildId)) {
    // instrumentation.ts and next.config.js are build inputs too.
    const inputs = ['app', 'lib', 'components', 'instrumentation.ts', 'next.config.js'];
    const newest = Math.max(...inputs.map((input) => newestMtime(path.join(root, input))));
    // A bare `next build` leaves no compiled edge for its build: `npm start` would load TypeScript instead.
    if (statSync(buildId).mtimeMs > newest && findCurrentCompiledEdge(root)) return;
  }
  console.log('building (next build, then the compiled edge, as `npm run build`)…');
  for (const [label, args] of [
    ['next build', [nextBin, 'build']],
    ['build-edge', [tsxCli, 'scripts/build-edge.ts']],
  ] as const) {
    const built = spawnSync(process.execPath, args, {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (built.status !== 0) {
      throw new BenchError(`${label} failed:\n${tail(`${built.stdout ?? ''}\n${built.stderr ?? ''}`)}`);
    }
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new BenchError('no free port')),
      );
    });
  });
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** user + system CPU seconds of a process tree so far; null off Linux. */
export function treeCpuSeconds(pid: number): number | null {
  let ticks = 0;
  let found = false;
  for (const member of processTree(pid)) {
    try {
      // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${member}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // Not Linux, or the process ended.
    }
  }
  return found ? ticks / CLOCK_TICKS_PER_SECOND : null;
}

/** Peak resident memory (VmHWM) of the largest process in the server's tree, in MiB; null off Linux. */
export function peakRssMiB(pid: number): number | null {
  let peakKiB = 0;
  for (const member of processTree(pid)) {
    try {
      const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${member}/status`, 'utf8'))?.[1]);
      if (Number.isFinite(kib)) peakKiB = Math.max(peakKiB, kib);
    } catch {
      // Not Linux, or the process ended.
    }
  }
  return peakKiB ? Math.round(peakKiB / 1024) : null;
}

/** Event-loop delay of the server between two readings, in ms (bench/event-loop-probe.mjs). */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Peaks of process.memoryUsage() since the server started (MiB). */
  memoryPeakMiB?: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
}

export interface RunningApp {
  label: string;
  baseUrl: string;
  pid: number;
  /** The server tree's CPU seconds so far (user + system, all threads); null off Linux. */
  cpuSeconds: () => number | null;
  /** The event loop's delay since the previous call (the first call just starts the count). */
  loopDelay: () => Promise<LoopDelay | null>;
  /** The environment the app runs with; CLI scripts for this app get the same. */
  env: NodeJS.ProcessEnv;
  peakRssMiB: () => number | null;
  stop: () => Promise<void>;
  /** SIGKILL to the whole process group, no clean-up by the app (fault tests); resolves once it is gone. */
  kill: () => Promise<void>;
  /** The last few KiB the server wrote to stderr. */
  stderrTail: () => string;
}

function runScript(script: string, args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [tsxCli, script, ...args], { cwd: root, env, encoding: 'utf8' });
}

async function isHealthy(baseUrl: string): Promise<boolean> {
  try {
    const response = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** Starts the built app; resolves once GET /healthz answers 200. */
export async function startApp(
  label: string,
  extraEnv: Record<string, string>,
  /** Extra node flags for the server process only (bench/profile.ts passes --cpu-prof). */
  nodeArgs: string[] = [],
  /** A fixed port (an instance restarted after a fault keeps its address); a free one otherwise. */
  fixedPort?: number,
): Promise<RunningApp> {
  const port = fixedPort ?? (await freePort());
  const baseUrl = `http://localhost:${port}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), `mailport-bench-${label}-`));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    // OAuth signatures cover the URL, so the app's idea of its URL must be the one the bench calls.
    MAILPORT_PUBLIC_URL: baseUrl,
    MAILPORT_DATA_DIR: dataDir,
    DATABASE_URL: '',
    // The connect-flow bench signs in to a Dovecot on loopback.
    MAILPORT_ALLOW_PRIVATE_HOSTS: '1',
    // The per-key limit stays on (its counter is part of every request's cost) but never refuses the bench's one key.
    MAILPORT_API_RATE_LIMIT_PER_MINUTE: '10000000',
    ...extraEnv,
  };
  if (env.DATABASE_URL) {
    // The same as `npm run --silent db:migrate`, without npm's own noise on stderr.
    const migrated = runScript('scripts/db-migrate.ts', [], env);
    if (migrated.status !== 0) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new BenchError(`db:migrate failed for ${label}: ${tail(migrated.stderr || migrated.stdout, 5)}`);
    }
  }

  // The start script itself rather than npm, so no wrapper process sits between us and the server (PORT is in env).
  const loopFile = path.join(dataDir, 'event-loop.json');
  env.MAILPORT_BENCH_LOOP_FILE = loopFile;
  const probe = path.join(root, 'bench/event-loop-probe.mjs');
  const child: ChildProcess = spawn(process.execPath, ['--import', probe, ...nodeArgs, startScript], {
    cwd: root,
    env,
    detached: true, // its own process group, killed as one
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-8_000);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || hasExited()) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const emergencyStop = () => {
    killGroup('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  cleanups.add(emergencyStop);

  const stop = async () => {
    cleanups.delete(emergencyStop);
    if (!hasExited()) {
      const exited = once(child, 'exit');
      killGroup('SIGTERM');
      const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (spawnError) {
      await stop();
      throw new BenchError(`could not start next for ${label}: ${spawnError.message}`);
    }
    if (hasExited()) {
      await stop();
      throw new BenchError(
        `the ${label} app exited during start-up (code ${child.exitCode}); stderr:\n${tail(stderr)}`,
      );
    }
    if (await isHealthy(baseUrl)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new BenchError(
        `the ${label} app did not answer GET /healthz with 200 within ${HEALTH_TIMEOUT_MS / 1000} s; stderr:\n${tail(stderr) || '(empty)'}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const pid = child.pid ?? 0;
  const loopDelay = async (): Promise<LoopDelay | null> => {
    rmSync(loopFile, { force: true });
    process.kill(pid, 'SIGUSR2');
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (existsSync(loopFile)) {
        try {
          return JSON.parse(readFileSync(loopFile, 'utf8')) as LoopDelay;
        } catch {
          // Caught mid-write: read again.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return null;
  };
  const { MAILPORT_BENCH_LOOP_FILE: _, ...scriptEnv } = env;
  const kill = async () => {
    cleanups.delete(emergencyStop);
    if (!hasExited()) {
      const exited = once(child, 'exit');
      killGroup('SIGKILL');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    label,
    baseUrl,
    pid,
    env: scriptEnv,
    cpuSeconds: () => treeCpuSeconds(pid),
    loopDelay,
    peakRssMiB: () => peakRssMiB(pid),
    stop,
    kill,
    stderrTail: () => stderr,
  };
}

export type ApiKey = { ok: true; key: string; secret: string } | { ok: false; reason: string };

/** A fresh consumer key through the project's CLI (which talks to the running app when it holds the database). */
export function createApiKey(app: RunningApp, email: string): ApiKey {
  const result = runScript('scripts/keys-create.ts', ['--email', email, '--app-name', 'Bench'], app.env);
  if (result.error) return { ok: false, reason: result.error.message };
  if (result.status !== 0) return { ok: false, reason: tail(result.stderr || `exit code ${result.status}`, 1) };
  const line = result.stdout.trim().split('\n').at(-1) ?? '';
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed && typeof parsed === 'object' && 'key' in parsed && 'secret' in parsed) {
      const { key, secret } = parsed;
      if (typeof key === 'string' && typeof secret === 'string') return { ok: true, key, secret };
    }
  } catch {
    // Reported below.
  }
  return { ok: false, reason: `unexpected output: ${line.slice(0, 200)}` };
}

/** A throw-away PostgreSQL server (scripts/test-postgres.sh), when its binaries are installed. */
export interface PrivatePostgres {
  url: string;
  stop: () => void;
  /** Stops the server keeping its data (an outage); `up()` starts it again on the same port. */
  down: () => void;
  up: () => void;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres | { reason: string }> {
  const script = path.join(root, 'scripts/test-postgres.sh');
  const dir = path.join(tmpdir(), `mailport-bench-pg-${process.pid}`);
  const port = await freePort();
  const stop = () => {
    cleanups.delete(stop);
    spawnSync('bash', [script, 'stop', dir]);
  };
  cleanups.add(stop);
  const started = spawnSync('bash', [script, 'start', dir, String(port)], { encoding: 'utf8' });
  if (started.status !== 0) {
    stop();
    return { reason: tail(started.stderr || `exit code ${started.status}`, 1) };
  }
  const control = (...args: string[]) => {
    const done = spawnSync('bash', [script, ...args], { encoding: 'utf8' });
    if (done.status !== 0) throw new BenchError(`test-postgres.sh ${args[0]}: ${tail(done.stderr || '', 3)}`);
  };
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    stop,
    down: () => control('down', dir),
    up: () => control('up', dir, String(port)),
  };
}

/**
 * A `npm run worker` process beside a PostgreSQL app, with the app's environment (database, master key):
 * on PostgreSQL the app does not work the job queue itself, so without one no mailbox syncs.
 */
export interface RunningWorker {
  pid: number;
  stop: () => Promise<void>;
  /** SIGKILL to the worker's process group (fault tests); resolves once it is gone. */
  kill: () => Promise<void>;
  /** Whether it exited on its own (it should not, whatever happens to the database or the mail server). */
  hasExited: () => boolean;
  /** The last few KiB of its output. */
  output: () => string;
}

export async function startWorker(
  app: Pick<RunningApp, 'env' | 'label'>,
  extraEnv: Record<string, string> = {},
): Promise<RunningWorker> {
  const child: ChildProcess = spawn(process.execPath, [tsxCli, 'scripts/worker.ts'], {
    cwd: root,
    env: { ...app.env, ...extraEnv },
    detached: true, // its own process group: tsx's child goes with it
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const hasExited = () => child.exitCode !== null || child.signalCode !== null;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || hasExited()) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const emergencyStop = () => killGroup('SIGKILL');
  cleanups.add(emergencyStop);
  const stop = async () => {
    cleanups.delete(emergencyStop);
    if (hasExited()) return;
    const exited = once(child, 'exit');
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  while (!output.includes('Mailport worker ready')) {
    if (hasExited()) throw new BenchError(`the ${app.label} worker exited during start-up:\n${tail(output)}`);
    if (Date.now() > deadline) {
      await stop();
      throw new BenchError(
        `the ${app.label} worker was not ready within ${HEALTH_TIMEOUT_MS / 1000} s:\n${tail(output)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const kill = async () => {
    cleanups.delete(emergencyStop);
    if (hasExited()) return;
    const exited = once(child, 'exit');
    killGroup('SIGKILL');
    await exited;
  };
  return { pid: child.pid ?? 0, stop, kill, hasExited, output: () => output };
}
