import { ensureMigratedTemplate } from './lib/db/pglite-template';
import { ensurePostgresTemplate, testDatabaseKinds } from './lib/db/testing';

/**
 * vitest globalSetup: migrate the test templates once, before any file runs,
 * so parallel files copy a ready template instead of each building one.
 */
export default async function setup(): Promise<void> {
  await ensureMigratedTemplate();
  if (testDatabaseKinds().includes('postgres')) await ensurePostgresTemplate();
}
