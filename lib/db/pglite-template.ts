import { createHash, randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { applyPendingMigrations, projectRoot, readCommittedMigrations } from './migrations';

/**
 * A fresh PGlite data directory costs an initdb: 2.5 s on an idle 2-core
 * machine, far more on a busy one, and most of a first `npm start`. PostgreSQL's
 * data directories do not depend on where they live, so we run initdb once per
 * PGlite version (at `npm install`, or on first need) and copy the result into
 * every new data directory (0.1–0.4 s). A second template has the committed
 * migrations applied too: on a fresh on-disk PGlite, running them costs more
 * than a second of CPU (far more than in memory). When the migrations changed
 * since the template was made, the empty one is used and they run as usual.
 */

const READY_MARKER = 'mailport-template-ready';
/** Bumped when what goes into a template changes, so older caches are not used. */
const TEMPLATE_LAYOUT = 2;
/**
 * Databases a fresh cluster has besides `postgres`. They only serve CREATE
 * DATABASE, which embedded Mailport never runs; dropped, a data directory is
 * 465 files and 25 MB instead of 1,065 and 40 MB, and every first start copies it.
 */
const UNUSED_DATABASES = ['template0', 'template1'];

function cacheDirectory(): string {
  return path.join(projectRoot(), 'node_modules/.cache/mailport');
}

function pgliteVersion(): string {
  const file = path.join(projectRoot(), 'node_modules/@electric-sql/pglite/package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : 'unknown';
}

/** Where a template named `name` lives; it is usable once isTemplateReady says so. */
export function templateDirectory(name: string): string {
  return path.join(cacheDirectory(), `pglite-${pgliteVersion()}-v${TEMPLATE_LAYOUT}-${name}`);
}

export function isTemplateReady(directory: string): boolean {
  return existsSync(path.join(directory, READY_MARKER));
}

/**
 * Builds a template beside its final name and renames it into place, so a
 * concurrent reader (parallel test files, two installs) never sees half of one.
 * `fill` gets a data directory to create and leaves PGlite closed.
 */
export async function buildTemplate(directory: string, fill: (dataDir: string) => Promise<void>): Promise<string> {
  if (isTemplateReady(directory)) return directory;
  const building = `${directory}.building-${process.pid}-${randomBytes(4).toString('hex')}`;
  mkdirSync(building, { recursive: true });
  try {
    await fill(path.join(building, 'pglite'));
    writeFileSync(path.join(building, READY_MARKER), '');
    renameSync(building, directory);
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    // Another process renamed its template into place first: use theirs.
    if (!isTemplateReady(directory)) throw error;
  }
  return directory;
}

/** An initdb'd, empty data directory for this PGlite version. */
export function ensureEmptyTemplate(): Promise<string> {
  return buildTemplate(templateDirectory('empty'), async (dataDir) => {
    const { PGlite } = await import('@electric-sql/pglite');
    const pglite = await PGlite.create({ dataDir });
    try {
      for (const name of UNUSED_DATABASES) {
        // A template database cannot be dropped (and DROP DATABASE cannot run in a multi-statement string).
        await pglite.query(`ALTER DATABASE ${name} WITH IS_TEMPLATE false`);
        await pglite.query(`DROP DATABASE ${name}`);
      }
    } finally {
      await pglite.close();
    }
  });
}

/** Names a migrated template after its migrations: a new migration needs a new template. */
export function migrationsKey(): string {
  const hash = createHash('sha256');
  for (const migration of readCommittedMigrations()) hash.update(`${migration.name}\0${migration.checksum}\0`);
  return hash.digest('hex').slice(0, 16);
}

export function migratedTemplateDirectory(): string {
  return templateDirectory(`migrated-${migrationsKey()}`);
}

/** A data directory with the committed migrations applied, made from the empty template. */
export function ensureMigratedTemplate(): Promise<string> {
  return buildTemplate(migratedTemplateDirectory(), async (dataDir) => {
    const { PGlite } = await import('@electric-sql/pglite');
    copyTemplateInto(await ensureEmptyTemplate(), dataDir);
    const pglite = await PGlite.create({ dataDir });
    try {
      await applyPendingMigrations({ kind: 'pglite', pglite });
    } finally {
      await pglite.close();
    }
  });
}

/**
 * A new embedded data directory from the best template there is: migrated with
 * today's migrations, else empty. False when there is none (PGlite runs initdb).
 */
export function copyBestTemplateInto(dataDir: string): boolean {
  return (
    copyTemplateInto(migratedTemplateDirectory(), dataDir) || copyTemplateInto(templateDirectory('empty'), dataDir)
  );
}

/**
 * Fills a data directory that does not exist yet from a ready template; false
 * (and nothing written) when there is none, so the caller lets PGlite run initdb.
 * Copied under a temporary name first: a crash mid-copy must not leave a
 * directory PGlite would take for a database.
 */
export function copyTemplateInto(template: string, dataDir: string): boolean {
  if (!isTemplateReady(template) || existsSync(dataDir)) return false;
  const partial = `${dataDir}.copying-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(path.join(template, 'pglite'), partial, { recursive: true });
  renameSync(partial, dataDir);
  return true;
}
