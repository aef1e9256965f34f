/**
 * npm run db:migrate — applies pending migrations from prisma/migrations to the
 * database the environment selects (PostgreSQL with DATABASE_URL, else embedded),
 * as plain SQL under Prisma's advisory lock (lib/db/migrations.ts).
 *
 * npm run db:migrate -- --rolled-back NAME — marks a failed migration as rolled
 * back (as `prisma migrate resolve --rolled-back` does) so the next run retries it.
 */
import { DatabaseBusyError, describeModifiedMigrations, openDatabase } from '@/lib/db/client';
import {
  applyPendingMigrations,
  MigrationError,
  type MigrationOutcome,
  markMigrationRolledBack,
} from '@/lib/db/migrations';
import { ConfigError, type DatabaseConfig, parseDatabaseConfig } from '@/lib/env';
import { describeStartupError } from '@/lib/server/start';

function parseArgs(argv: string[]): { rolledBack?: string } {
  if (argv.length === 0) return {};
  if (argv.length === 2 && argv[0] === '--rolled-back' && argv[1]) return { rolledBack: argv[1] };
  throw new ConfigError('usage: npm run db:migrate [-- --rolled-back MIGRATION_NAME]');
}

async function markRolledBack(database: DatabaseConfig, name: string): Promise<boolean> {
  if (database.kind === 'postgres') {
    return markMigrationRolledBack({ kind: 'postgres', connectionString: database.url }, name);
  }
  const opened = await openDatabase(database, { migrate: false });
  try {
    return await markMigrationRolledBack(opened.migrationTarget, name);
  } finally {
    await opened.close();
  }
}

async function main(): Promise<void> {
  const { rolledBack } = parseArgs(process.argv.slice(2));
  const database = parseDatabaseConfig(process.env);
  const where = database.kind === 'postgres' ? 'PostgreSQL' : `embedded database in ${database.dataDir}`;
  if (rolledBack) {
    if (!(await markRolledBack(database, rolledBack))) {
      throw new MigrationError(`no failed migration named ${rolledBack} in the ${where}`);
    }
    console.log(`${where}: marked ${rolledBack} as rolled back; the next db:migrate applies it again`);
    return;
  }
  let outcome: MigrationOutcome;
  if (database.kind === 'postgres') {
    outcome = await applyPendingMigrations({ kind: 'postgres', connectionString: database.url });
    if (outcome.modified.length > 0) console.warn(describeModifiedMigrations(outcome.modified));
  } else {
    // Opening the embedded database migrates it (and warns about modified migrations).
    const opened = await openDatabase(database);
    outcome = opened.migrations;
    await opened.close();
  }
  const { applied } = outcome;
  console.log(
    applied.length === 0
      ? `${where}: already up to date`
      : `${where}: applied ${applied.length} migration(s): ${applied.join(', ')}`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof DatabaseBusyError) {
      console.error(
        `db:migrate: ${error.message} The running app applies pending migrations itself when it starts: restart it.`,
      );
    } else if (error instanceof ConfigError || error instanceof MigrationError) {
      console.error(`db:migrate: ${error.message}`);
    } else {
      console.error(`db:migrate: ${describeStartupError(error)}`);
    }
    process.exit(1);
  },
);
