import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * The data directory holds the embedded database (tokens, addresses, password
 * hashes), the master key and the admin channel's bearer token: only the user
 * running Mailport may read it. This module owns its modes.
 */

const OTHERS = 0o077;

/**
 * Creates the directory 0700, or tightens an existing one and everything in
 * it (older versions left ./data 0755 and PGlite files 0666). Says so when it
 * found a directory others could enter: once, as the next call finds none.
 * A walk over PGlite's ~1,000 files takes a few milliseconds.
 */
export function ensurePrivateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const { loosenedDirectories, files, failures } = tightenTree(dataDir);
  if (loosenedDirectories > 0) {
    console.warn(
      `Mailport: made the data directory ${dataDir} private to its owner (mode 0700): ` +
        `${loosenedDirectories} folder(s) and ${files} file(s) in it were open to other local users.`,
    );
  }
  if (failures.length > 0) {
    console.warn(
      `Mailport: could not make ${failures.length} path(s) in ${dataDir} private (${failures[0]}); check their owner.`,
    );
  }
}

/**
 * Removes group and world permissions from a directory and everything under
 * it; symbolic links are neither changed nor followed. Returns what it changed.
 */
export function tightenTree(root: string): { loosenedDirectories: number; files: number; failures: string[] } {
  const result = { loosenedDirectories: 0, files: 0, failures: [] as string[] };
  const visit = (target: string) => {
    let stats: ReturnType<typeof lstatSync>;
    try {
      stats = lstatSync(target);
    } catch {
      return; // Removed while we walked (PGlite rotates WAL segments): nothing to tighten.
    }
    if (stats.isSymbolicLink()) return;
    if ((stats.mode & OTHERS) !== 0) {
      try {
        chmodSync(target, stats.mode & 0o7700);
        if (stats.isDirectory()) result.loosenedDirectories++;
        else result.files++;
      } catch (error) {
        result.failures.push(`${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
    }
    if (!stats.isDirectory()) return;
    let entries: string[] = [];
    try {
      entries = readdirSync(target);
    } catch {
      return;
    }
    for (const entry of entries) visit(path.join(target, entry));
  };
  visit(root);
  return result;
}

/**
 * PGlite creates files all its life (WAL segments, relation files); a umask of
 * 0o077 is the one hook that keeps each new one owner-only. The embedded app
 * writes nothing that another user needs to read. Worker threads cannot set it.
 */
export function restrictNewFilesToOwner(): void {
  if (isMainThread) process.umask(OTHERS);
}
