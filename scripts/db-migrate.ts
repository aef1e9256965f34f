/**
 * npm run db:migrate — applies pending migrations from prisma/migrations to the
 * database the environment selects (PostgreSQL with DATABASE_URL, else embedded).
 * Offline: Prisma's schema engine runs as WebAssembly.
 */
import { DatabaseBusyError, openDatabase } from '@/lib/db/client';
import { applyPendingMigrations } from '@/lib/db/migrations';
import { ConfigError, parseDatabaseConfig } from '@/lib/env';
import { describeStartupError } from '@/lib/server/start';

async function main(): Promise<void> {
  const database = parseDatabaseConfig(process.env);
  let applied: string[];
  if (database.kind === 'postgres') {
    applied = await applyPendingMigrations({ kind: 'postgres', connectionString: database.url });
  } else {
    const opened = await openDatabase(database);
    applied = opened.appliedMigrations;
    await opened.close();
  }
  const where = database.kind === 'postgres' ? 'PostgreSQL' : `embedded database in ${database.dataDir}`;
  console.log(
    applied.length === 0
      ? `${where}: already up to date`
      : `${where}: applied ${applied.length} migration(s): ${applied.join(', ')}`,
  );
}

// Exit explicitly: the Wasm engines leave idle timers behind that would hold the process ~10 s.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof DatabaseBusyError) {
      console.error(
        `db:migrate: ${error.message} The running app applies pending migrations itself when it starts: restart it.`,
      );
    } else if (error instanceof ConfigError) {
      console.error(`db:migrate: ${error.message}`);
    } else {
      console.error(`db:migrate: ${describeStartupError(error)}`);
    }
    process.exit(1);
  },
);
