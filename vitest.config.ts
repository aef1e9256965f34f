import { defineConfig } from 'vitest/config';
import { PROCESS_TESTS, sharedConfig } from './vitest.shared.ts';

const include = ['lib/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'];
/** Files that replace a module with vi.mock: they need a module registry of their own. */
const MOCKING = ['lib/server/live-sync.test.ts', 'lib/sessions/sign-in-limits.test.ts'];

/**
 * `vitest run`: unit and integration tests (PGlite, and PostgreSQL when MAILPORT_TEST_DATABASE_URL
 * is set), in vitest's processes. Tests that start `npm run worker` or a CLI as processes of their
 * own are `*.process.test.ts`, run by `npm run test:processes` (vitest.processes.config.ts).
 *
 * Test files share a worker process and its loaded modules (`isolate: false`): each file in a
 * fresh process loaded Prisma, PGlite and the domain modules again, a third of the suite's CPU.
 * A file that mocks a module gets a process of its own.
 */
export default defineConfig({
  ...sharedConfig,
  test: {
    ...sharedConfig.test,
    projects: [
      {
        extends: true,
        test: { name: 'shared', include, exclude: [PROCESS_TESTS, ...MOCKING], isolate: false },
      },
      { extends: true, test: { name: 'isolated', include: MOCKING, isolate: true } },
    ],
  },
});
