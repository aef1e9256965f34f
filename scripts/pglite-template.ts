/**
 * Run by `npm install` (postinstall): initdb once into node_modules/.cache, and
 * the migrations on a copy, so the first `npm start` on a new embedded data
 * directory copies them instead of spending seconds (lib/db/pglite-template.ts). Never fails the install:
 * without the template the app runs initdb itself.
 */
import { ensureMigratedTemplate } from '@/lib/db/pglite-template';

// The migrated template is made from the empty one: both end up in the cache.
ensureMigratedTemplate().then(
  () => process.exit(0),
  (error: unknown) => {
    console.warn(`pglite-template: skipped (${error instanceof Error ? error.message : String(error)})`);
    process.exit(0);
  },
);
