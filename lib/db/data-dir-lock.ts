import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * One lock file per data directory: a second process would corrupt PGlite's
 * files. The lock names its holder by pid *and* by the process's start time and
 * the kernel's boot id, because a pid alone is reused: after a container restart
 * "pid 1" is some other program, and a stale lock naming it must not block start-up.
 */

export class DatabaseBusyError extends Error {
  override name = 'DatabaseBusyError';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is in use by another Mailport process (pid ${pid}). ` +
        'A PGlite data directory can be opened by one process at a time.',
    );
  }
}

/** What tells one process apart from a later one with the same pid. */
export interface ProcessIdentity {
  /** Field 22 of /proc/<pid>/stat: clock ticks after boot at which the process started. */
  startTime: string;
  bootId: string;
}

interface LockRecord {
  pid: number;
  identity: ProcessIdentity | null;
}

/** Null where /proc is absent or unreadable (macOS, hidepid): callers fall back to the pid alone. */
export function readProcessIdentity(pid: number, procRoot = '/proc'): ProcessIdentity | null {
  try {
    const stat = readFileSync(path.join(procRoot, String(pid), 'stat'), 'utf8');
    // Field 2 (the command name) is in parentheses and may hold spaces or ')': count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTime = fields[19]; // field 22 overall; this list starts at field 3
    const bootId = readFileSync(path.join(procRoot, 'sys/kernel/random/boot_id'), 'utf8').trim();
    if (!startTime || !/^\d+$/.test(startTime) || !bootId) return null;
    return { startTime, bootId };
  } catch {
    return null;
  }
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Today's format is JSON; older versions wrote the bare pid, which still counts. */
function parseLock(text: string): LockRecord | null {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { pid: Number(trimmed), identity: null };
  try {
    const value = JSON.parse(trimmed) as { pid?: unknown; startTime?: unknown; bootId?: unknown };
    if (!Number.isInteger(value.pid)) return null;
    const identity =
      typeof value.startTime === 'string' && typeof value.bootId === 'string'
        ? { startTime: value.startTime, bootId: value.bootId }
        : null;
    return { pid: value.pid as number, identity };
  } catch {
    return null;
  }
}

/** Whether the process the lock names is still the one that wrote it. */
function isHeld(lock: LockRecord, procRoot: string): boolean {
  if (lock.pid === process.pid || lock.pid <= 0 || !isProcessAlive(lock.pid)) return false;
  if (!lock.identity) return true;
  const current = readProcessIdentity(lock.pid, procRoot);
  if (!current) return true; // Cannot tell: a live pid keeps the lock, as before.
  return current.startTime === lock.identity.startTime && current.bootId === lock.identity.bootId;
}

export function lockFileFor(dataDir: string): string {
  return path.join(dataDir, 'mailport.lock');
}

/**
 * Takes the directory's lock or throws DatabaseBusyError; returns its release.
 * `procRoot` is for tests that simulate a system without /proc.
 */
export function acquireDataDirLock(dataDir: string, procRoot = '/proc'): () => void {
  const lockFile = lockFileFor(dataDir);
  const identity = readProcessIdentity(process.pid, procRoot);
  // Written whole under a private name, then linked into place: nobody ever reads a half-written lock.
  const draft = `${lockFile}.${process.pid}`;
  writeFileSync(draft, JSON.stringify({ pid: process.pid, ...identity }), { mode: 0o600 });
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(draft, lockFile);
        return releaseOnce(lockFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        let text = '';
        try {
          text = readFileSync(lockFile, 'utf8');
        } catch {
          continue; // Released between our link and our read: try again.
        }
        const holder = parseLock(text);
        if (holder && isHeld(holder, procRoot)) throw new DatabaseBusyError(dataDir, holder.pid);
        // A stale lock: its process died, or its pid now belongs to another program.
        try {
          unlinkSync(lockFile);
        } catch (unlinkError) {
          if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
        }
      }
    }
    throw new Error(`could not lock ${dataDir}`);
  } finally {
    unlinkSync(draft);
  }
}

function releaseOnce(lockFile: string): () => void {
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      unlinkSync(lockFile);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.once('exit', release);
  return release;
}
