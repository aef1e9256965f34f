/**
 * Run by `npm install` (postinstall): initdb once into node_modules/.cache so the
 * first `npm start` on a new embedded data directory copies it instead of
 * spending seconds in initdb (lib/db/pglite-template.ts). Never fails the install:
 * without the template the app runs initdb itself.
 */
import { ensureEmptyTemplate } from '@/lib/db/pglite-template';

ensureEmptyTemplate().then(
  () => process.exit(0),
  (error: unknown) => {
    console.warn(`pglite-template: skipped (${error instanceof Error ? error.message : String(error)})`);
    process.exit(0);
  },
);
