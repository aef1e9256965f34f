import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { MigrationTarget } from '../lib/db/migrations';
import { TEST_NODE_FLAGS } from '../vitest.shared.ts';

/**
 * The operator scripts as tests run them: compiled once per test file with
 * esbuild, then spawned with plain `node`. Through tsx every spawn paid ~1 s of
 * CPU for its loader (compiling each TypeScript file of the import graph on
 * the fly), and the CLI tests spawn about twenty of them. Same source, same
 * compiler (tsx is esbuild too); packages stay in node_modules, as under tsx.
 */

const root = path.resolve(import.meta.dirname, '..');

/**
 * Compiles `scripts/<name>.ts` for each name: the path of each bundle, and a
 * `remove` for afterAll. The bundles live inside the project (node_modules/.cache)
 * so that the packages they import resolve from node_modules as they do for the sources.
 */
export async function compileScripts<Name extends string>(
  names: Name[],
): Promise<{ scripts: Record<Name, string>; remove: () => void }> {
  const outdir = path.join(root, 'node_modules/.cache/mailport-test-scripts', randomBytes(6).toString('hex'));
  mkdirSync(outdir, { recursive: true });
  await build({
    entryPoints: names.map((name) => path.join(root, 'scripts', `${name}.ts`)),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    tsconfig: path.join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  return {
    scripts: Object.fromEntries(names.map((name) => [name, path.join(outdir, `${name}.mjs`)])) as Record<Name, string>,
    remove: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * `npm run worker` processes as the fault tests run them: spawned from a bundle
 * compileScripts made (plain `node`, so SIGKILL really kills the worker), each
 * one's last lines kept for the report of a timeout (CI keeps only the end of the log).
 */
export function workerProcesses(options: { script: string; env: () => NodeJS.ProcessEnv }) {
  const workers: ChildProcess[] = [];
  const tails = new Map<ChildProcess, string[]>();
  const isRunning = (worker: ChildProcess) => worker.exitCode === null && worker.signalCode === null;
  return {
    start(): ChildProcess {
      const worker = spawn(process.execPath, [...TEST_NODE_FLAGS, options.script], {
        cwd: root,
        env: options.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tail: string[] = [];
      const keep = (chunk: Buffer) => {
        tail.push(...chunk.toString().trimEnd().split('\n'));
        tail.splice(0, Math.max(0, tail.length - 20));
        process.stderr.write(`[worker ${worker.pid}] ${chunk}`);
      };
      worker.stdout?.on('data', keep);
      worker.stderr?.on('data', keep);
      workers.push(worker);
      tails.set(worker, tail);
      return worker;
    },
    /** SIGKILL, returning once the process is gone. */
    async kill(worker: ChildProcess): Promise<void> {
      if (!isRunning(worker)) return;
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      worker.kill('SIGKILL');
      await exited;
    },
    /** SIGTERM to every running worker (SIGKILL after 25 s): before their database is dropped. */
    async stopAll(): Promise<void> {
      for (const worker of workers) {
        if (!isRunning(worker)) continue;
        const exited = new Promise((resolve) => worker.once('exit', resolve));
        worker.kill('SIGTERM');
        const timer = setTimeout(() => worker.kill('SIGKILL'), 25_000);
        await exited;
        clearTimeout(timer);
      }
    },
    /** One line per worker: pid, running or how it ended, its last lines. */
    describe(): string {
      return workers
        .map((worker) => {
          const state = isRunning(worker) ? 'running' : `exited ${worker.exitCode ?? worker.signalCode}`;
          return `worker ${worker.pid} (${state}): ${(tails.get(worker) ?? []).join(' | ')}`;
        })
        .join('\n');
    },
  };
}

/**
 * `npm run worker` processes on a PostgreSQL test database (workers need PostgreSQL): the
 * worker compiled once, each process given the database, private hosts (the tests' Dovecot)
 * and `settings`. `remove` deletes the compiled worker (afterAll, once the workers are stopped).
 */
export async function postgresWorkers(database: { target: MigrationTarget }, settings: Record<string, string>) {
  const target = database.target;
  if (target.kind !== 'postgres') throw new Error('npm run worker needs PostgreSQL');
  const compiled = await compileScripts(['worker']);
  const workers = workerProcesses({
    script: compiled.scripts.worker,
    env: () => ({
      ...process.env,
      DATABASE_URL: target.connectionString,
      MAILPORT_ALLOW_PRIVATE_HOSTS: '1',
      ...settings,
    }),
  });
  return { ...workers, remove: compiled.remove };
}

/** Polls `read` until `done`; a timeout names what it waited for, the last value and `report()`. */
export async function waitUntil<T>(
  what: string,
  read: () => Promise<T> | T,
  done: (value: T) => boolean,
  options: { timeoutMs?: number; report?: () => string | Promise<string> } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}\n${(await options.report?.()) ?? ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
