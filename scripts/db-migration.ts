/**
 * npm run db:migration -- NAME — writes prisma/migrations/<timestamp>_<name>/migration.sql
 * from the difference between the committed migrations and prisma/schema.prisma.
 * The diff runs on a throwaway in-memory PostgreSQL, so no database is touched.
 */
import { PGlite } from '@electric-sql/pglite';
import { createMigration } from '@/lib/db/schema-engine';

async function main(): Promise<void> {
  const name = process.argv.slice(2).join(' ').trim();
  if (!name) {
    console.error('db:migration: give the migration a name, e.g. npm run db:migration -- add_source_labels');
    process.exit(1);
  }
  const pglite = await PGlite.create();
  try {
    const created = await createMigration({ kind: 'pglite', pglite }, name);
    if (!created) console.log('schema.prisma matches the committed migrations: nothing to write');
    else console.log(`wrote ${created.directory}/migration.sql\n\n${created.sql}`);
  } finally {
    await pglite.close();
  }
}

// Exit explicitly: the Wasm engines leave idle timers behind that would hold the process ~10 s.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`db:migration: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
