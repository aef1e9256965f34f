import { ensurePgliteTemplate, ensurePostgresTemplate, testDatabaseKinds } from './lib/db/testing';

/**
 * vitest globalSetup: migrate the test templates once, before any file runs,
 * so parallel files copy a ready template instead of each building one.
 */
export default async function setup(): Promise<void> {
  await ensurePgliteTemplate();
  if (testDatabaseKinds().includes('postgres')) await ensurePostgresTemplate();
}
