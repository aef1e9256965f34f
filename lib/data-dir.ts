import { chmodSync, lstatSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';

/**
 * The data directory holds the embedded database (tokens, addresses, password
 * hashes), the master key and the admin channel's bearer token: only the user
 * running Mailport may read it. This module owns its modes.
 */

const OTHERS = 0o077;

/**
 * Creates the directory 0700, or makes an existing one 0700 (older versions
 * left ./data 0755) and says so; the next call finds it private and stays quiet.
 * What is inside needs no walk here: the master key, lock and admin channel are
 * written 0600, and the embedded database tightens its own folder when it opens.
 */
export function ensurePrivateDataDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & OTHERS) === 0) return;
  try {
    chmodSync(dataDir, mode & 0o700);
    console.warn(
      `Mailport: made the data directory ${dataDir} private to its owner (it was ${mode.toString(8).padStart(4, '0')}, now 0700).`,
    );
  } catch (error) {
    console.warn(
      `Mailport: could not make the data directory ${dataDir} private (${(error as NodeJS.ErrnoException).code}); check its owner.`,
    );
  }
}

/**
 * Removes group and world permissions from a directory and everything under
 * it; symbolic links are neither changed nor followed. Returns what it changed.
 * About 1,100 paths in a PGlite folder: ~100 ms on a busy 2-core machine, once per start.
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
