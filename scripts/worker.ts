/**
 * npm run worker — works the job queue (mailbox syncs, callbacks, housekeeping)
 * on PostgreSQL. Run any number beside any number of app instances. In embedded
 * mode the app works the queue itself and this command is not needed.
 */
import { DatabaseBusyError, findPendingMigrations, getDb } from '@/lib/db/client';
import { ConfigError, getConfig } from '@/lib/env';
import {
  describeStartupError,
  exitCleanlyOnSignals,
  limitHeapGrowth,
  surviveDatabaseOutages,
  workJobQueue,
} from '@/lib/server/start';

async function main(): Promise<void> {
  const config = getConfig();
  limitHeapGrowth(config);
  if (config.database.kind === 'embedded') {
    console.error(
      'worker: no DATABASE_URL. In embedded mode the app (npm start) works the job queue itself; ' +
        'separate workers need PostgreSQL.',
    );
    process.exit(1);
  }
  const db = await getDb();
  const pending = await findPendingMigrations(db);
  if (pending.length > 0) {
    console.error(`worker: the database lacks ${pending.length} migration(s). Run: npm run db:migrate`);
    process.exit(1);
  }
  surviveDatabaseOutages();
  await workJobQueue(db, config);
  exitCleanlyOnSignals();
  console.log(`Mailport worker ready (pid ${process.pid})`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DatabaseBusyError) console.error(`worker: ${error.message}`);
  else console.error(`worker: ${describeStartupError(error)}`);
  process.exit(1);
});
