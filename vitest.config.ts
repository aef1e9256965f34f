import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';
import { TEST_NODE_FLAGS } from './scripts/testing';

export default defineConfig({
  resolve: { alias: { '@': path.resolve(import.meta.dirname) } },
  test: {
    include: ['lib/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
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
    // Liftoff-only WebAssembly: see TEST_NODE_FLAGS in scripts/testing.ts.
    execArgv: TEST_NODE_FLAGS,
    // vitest's default is one worker per core minus one: a single file at a time on a
    // 2-core machine. Most files mostly wait (Dovecot, PostgreSQL, spawned commands), so overlap them.
    maxWorkers: Math.max(4, os.availableParallelism()),
  },
});
