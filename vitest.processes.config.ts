import { defineConfig } from 'vitest/config';
import { PROCESS_TESTS, sharedConfig } from './vitest.shared.ts';

/**
 * `npm run test:processes`: tests that start the project's programs as processes of their own
 * (`npm run worker`, db:migrate, keys:create), SIGKILL them and wait for what survives
 * (PostgreSQL leases, pg-boss's crash detection). Mostly waiting, a stage of `npm test` of its own.
 */
export default defineConfig({
  ...sharedConfig,
  // Six files that mostly wait: all at once.
  test: { ...sharedConfig.test, include: [PROCESS_TESTS], maxWorkers: 6 },
});
