import v8 from 'node:v8';
import { describeUnavailability, isDatabaseUnavailableError } from '@/lib/db/availability';
import { closeDb, DatabaseBusyError, type Db, findPendingMigrations, getDb } from '@/lib/db/client';
import { ensureFirstDeveloper, type FirstDeveloperCredentials } from '@/lib/developers/mutations';
import { type AppConfig, ConfigError, getConfig } from '@/lib/env';
import { startJobQueue, stopJobQueue } from '@/lib/jobs/queue';
import { closeContentServices } from '@/lib/message-content/content';
import { publishAdminChannel } from './admin-channel';
import { type LiveSync, startLiveSync } from './live-sync';
import { startWorkers } from './worker';

/**
 * This process works the job queue: the app in embedded mode, `npm run worker` processes on PostgreSQL.
 * The queue is bound as soon as this is called; pg-boss starts after `startAfter` (see startJobQueue).
 */
/** This process's live mailboxes, once workJobQueue started them; stopped first on SIGTERM. */
let liveSync: LiveSync | null = null;

export async function workJobQueue(db: Db, config: AppConfig, startAfter?: Promise<unknown>): Promise<void> {
  const queue = await startJobQueue({ maintenanceIntervalSeconds: maintenanceInterval(config), startAfter });
  await startWorkers(db, queue, {
    allowPrivateHosts: config.allowPrivateHosts,
    syncJobTimeoutSeconds: config.jobs.syncJobTimeoutSeconds,
    // Jobs back to back in embedded mode too: with pg-boss's pause after each job, a newcomer's new mailbox
    // waited its turn behind earlier failing syncs (~50 s in the e2e run). Stop 19 kept the pause on PGlite for
    // a page-fuzz "stall" that turned out to be a fuzz finding of its own (docs/decisions.md, issue 16).
    backToBack: true,
  });
  // The process that works the queue also keeps live mailboxes (the app in embedded mode, workers on PostgreSQL).
  liveSync = startLiveSync(db, {
    allowPrivateHosts: config.allowPrivateHosts,
    imapTimeoutMs: config.content.imapTimeoutMs * 2,
    ...config.live,
  });
}

/** Set once a signal started the shutdown: the embedded job queue may then still be starting. */
let isShuttingDown = false;

/**
 * V8 lets the old generation grow to up to ~4× what survived its last full collection before it
 * collects again: a server allocating fast under load (every request's objects) then sits on hundreds
 * of MiB of garbage (issue 14: peak RSS 759 MiB embedded, with ~130 MiB of the heap live). A smaller
 * factor collects sooner at about the same CPU per request (docs/benchmarks.md); a growing live set
 * still grows the heap (no cap, so no out-of-memory crash). Process-wide: the embedded database's
 * thread too. Applies from the next collection on, so it can be set once the process runs.
 */
export function limitHeapGrowth(config: AppConfig): void {
  if (config.heapGrowingPercent > 0) v8.setFlagsFromString(`--heap-growing-percent=${config.heapGrowingPercent}`);
}

/**
 * A worker must outlive a database outage. Its libraries (pg's pool, pg-boss,
 * Prisma's adapter) normally hand connection failures to the awaiting caller,
 * but under a PostgreSQL stop in the load run (issue 16) one leaked as an
 * unhandled rejection (ECONNREFUSED from pg-pool, origin not found) and Node
 * ended the worker. Such a rejection is logged like any outage and the worker
 * carries on; any other unhandled rejection still ends the process, as a bug should.
 */
export function surviveDatabaseOutages(): void {
  process.on('unhandledRejection', (reason) => {
    if (!isDatabaseUnavailableError(reason)) throw reason;
    console.warn(`worker: database unavailable (${describeUnavailability(reason)}), left unhandled by a library`);
  });
}

/**
 * On SIGINT/SIGTERM: let running jobs finish (or be retried later), log out of
 * pooled mailbox connections, close the database cleanly, then leave.
 */
export function exitCleanlyOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      isShuttingDown = true;
      // Live mailboxes first: their leases are released at once, for another worker to take.
      void Promise.resolve(liveSync?.stop())
        .catch(() => {})
        .then(() => stopJobQueue())
        .catch(() => {})
        .then(() => closeContentServices().catch(() => {}))
        .then(() => closeDb())
        .finally(() => process.exit(0));
    });
  }
}

/**
 * Runs once when the Next.js server process starts (instrumentation hook):
 * configuration, database, migrations (embedded), first-start credentials.
 * Requests wait for it; the embedded job queue does not hold them up (it starts
 * right after, in the background). Any known failure ends the process with one
 * plain message, not a stack trace.
 */
export async function startServer(): Promise<void> {
  try {
    const config = getConfig();
    limitHeapGrowth(config);
    const db = await getDb();
    if (config.database.kind === 'postgres') {
      const pending = await findPendingMigrations(db);
      if (pending.length > 0) {
        console.error(
          `Mailport cannot start: the database in DATABASE_URL lacks ${pending.length} migration(s) (${pending.join(', ')}). Run: npm run db:migrate`,
        );
        process.exit(1);
      }
    }
    publishAdminChannel(config.dataDir, config.port);
    exitCleanlyOnSignals();
    if (config.database.kind === 'embedded') {
      // Embedded mode is one process: it works the job queue itself (on PostgreSQL, `npm run worker`
      // processes do). pg-boss's start (~1 s of CPU on a first start) waits for the first-start
      // credentials and then runs beside the first requests instead of before them (issue 10).
      const firstDeveloper = ensureFirstDeveloper(db);
      // A failure of the credentials themselves is reported below, once.
      workJobQueue(
        db,
        config,
        firstDeveloper.catch(() => {}),
      ).catch((error: unknown) => {
        // A signal that arrives while the queue starts stops it, and its start then fails ("pg-boss is
        // stopped"): that is the shutdown under way, which exits 0 by itself, not a failed start.
        if (!isShuttingDown) exitOnStartupError(error);
      });
      const created = await firstDeveloper;
      if (created) printFirstStartBanner(created, config.publicUrl);
    }
    console.log(`Mailport ready on ${config.publicUrl} (${describeDatabase()})`);
  } catch (error) {
    exitOnStartupError(error);
  }
}

function exitOnStartupError(error: unknown): never {
  if (error instanceof ConfigError || error instanceof DatabaseBusyError) {
    console.error(`Mailport cannot start: ${error.message}`);
  } else {
    console.error(`Mailport cannot start: ${describeStartupError(error)}`);
  }
  process.exit(1);
}

function describeDatabase(): string {
  const { database } = getConfig();
  return database.kind === 'embedded' ? `embedded PostgreSQL in ${database.dataDir}` : 'PostgreSQL';
}

/** Connection failures are the common case on PostgreSQL: name the setting to check. */
export function describeStartupError(error: unknown): string {
  const details = error as {
    code?: string;
    meta?: { driverAdapterError?: { cause?: { kind?: string; host?: string; port?: number } } };
  } | null;
  const cause = details?.meta?.driverAdapterError?.cause;
  const where = cause?.host ? ` at ${cause.host}${cause.port ? `:${cause.port}` : ''}` : '';
  switch (cause?.kind) {
    case 'DatabaseNotReachable':
      return `could not connect to the database in DATABASE_URL (ECONNREFUSED: nothing answered${where})`;
    case 'DatabaseDoesNotExist':
      return 'could not connect to the database in DATABASE_URL (the database it names does not exist)';
    case 'AuthenticationFailed':
      return 'could not connect to the database in DATABASE_URL (the server refused its user or password)';
    case 'TlsConnectionError':
      return 'could not connect to the database in DATABASE_URL (TLS failed; check sslmode)';
  }
  const code = details?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === '28P01' || code === '3D000') {
    return `could not connect to the database in DATABASE_URL (${code}: ${message.split('\n')[0]})`;
  }
  return message.trim().split('\n')[0] || (cause?.kind ? `database error: ${cause.kind}` : 'unknown error');
}

function printFirstStartBanner(credentials: FirstDeveloperCredentials, publicUrl: string) {
  const lines = [
    '',
    'Mailport first start: created a developer and an API key (shown once).',
    `  consumer key:    ${credentials.key}`,
    `  consumer secret: ${credentials.secret}`,
    `  API base URL:    ${publicUrl}/2.0/`,
    `  dashboard:       ${publicUrl}/dashboard/sign-in`,
    `    email:         ${credentials.email}`,
    `    password:      ${credentials.password}`,
    'Forgot the password? npm run dashboard:password -- --email admin@localhost prints a one-time reset link.',
    'Create more with: npm run keys:create -- --email you@example.com --app-name "Your App"',
    '',
  ];
  console.log(lines.join('\n'));
}

/** Timed-out jobs are looked for this often: a quarter of the sync timeout, at most a minute. */
export function maintenanceInterval(config: ReturnType<typeof getConfig>): number {
  return Math.max(1, Math.min(60, Math.floor(config.jobs.syncJobTimeoutSeconds / 4)));
}
