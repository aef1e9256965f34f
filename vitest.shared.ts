import os from 'node:os';
import path from 'node:path';
import type { ViteUserConfig } from 'vitest/config';

/**
 * Node flags for vitest's processes and every process the tests start (scripts/testing.ts):
 * WebAssembly compiled by Liftoff only. PGlite (PostgreSQL as Wasm) and Prisma's query
 * compiler are large modules; in a process that lives seconds, V8's optimising compiler
 * spent more CPU on them than the tests did (about half the CPU of a database test file).
 * Servers keep V8's defaults: they live long enough for it to pay off.
 */
export const TEST_NODE_FLAGS = ['--liftoff-only'];

/**
 * What both vitest configurations share: vitest.config.ts (`vitest run`: every test that runs
 * inside vitest's own processes) and vitest.processes.config.ts (tests that start the project's
 * programs — `npm run worker`, the CLIs — as processes of their own and kill them).
 */
export const sharedConfig = {
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    environment: 'node',
    globalSetup: ['vitest.setup.ts'],
    env: {
      // Tests never touch ./data: a fixed test key and a throwaway data directory.
      MAILPORT_MASTER_KEY: '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff',
      MAILPORT_DATA_DIR: path.join(os.tmpdir(), `mailport-vitest-${process.pid}`),
    },
    // Database integration tests open PGlite/PostgreSQL; files run in parallel, tests inside a file in order.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    execArgv: TEST_NODE_FLAGS,
    // vitest's default is one worker per core minus one: a single file at a time on a
    // 2-core machine. Most files mostly wait (Dovecot, PostgreSQL, spawned commands), so overlap them.
    maxWorkers: Math.max(4, os.availableParallelism()),
    // Transformed modules kept on disk (node_modules/.experimental-vitest-cache) between runs: the
    // generated Prisma client and the domain are transformed once, not on every run (~6 s of a
    // run's CPU; a first run after `npm install` fills the cache).
    experimental: { fsModuleCache: true },
  },
} satisfies ViteUserConfig;

/** Files that start the project's programs as processes: vitest.processes.config.ts runs them. */
export const PROCESS_TESTS = '**/*.process.test.ts';
