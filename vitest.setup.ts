import { randomBytes } from 'node:crypto';
import { ensureMigratedTemplate } from './lib/db/pglite-template';
import { ensurePostgresTemplate, removeTestRunDatabases, testDatabaseKinds } from './lib/db/testing';

/**
 * vitest globalSetup: migrate the test templates once, before any file runs,
 * so parallel files copy a ready template instead of each building one. The run
 * gets a name, and at its end the test databases its processes kept are dropped
 * (lib/db/testing.ts keeps one a file closed for the process's next file).
 */
export default async function setup(): Promise<() => Promise<void>> {
  const run = randomBytes(4).toString('hex');
  process.env.MAILPORT_TEST_RUN = run;
  await ensureMigratedTemplate();
  if (testDatabaseKinds().includes('postgres')) await ensurePostgresTemplate();
  return () => removeTestRunDatabases(run);
}
