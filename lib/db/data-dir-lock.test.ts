import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireDataDirLock, DatabaseBusyError, lockFileFor, readProcessIdentity } from './data-dir-lock';

/**
 * The data directory's lock names its holder by pid, start time and boot id:
 * a pid reused by another program (pid 1 after a container restart) is stale,
 * the real holder still blocks.
 */

const hasProc = readProcessIdentity(process.pid) !== null;
const scratch = () => mkdtempSync(path.join(tmpdir(), 'mailport-lock-'));

function writeLock(dataDir: string, content: unknown) {
  writeFileSync(lockFileFor(dataDir), typeof content === 'string' ? content : JSON.stringify(content));
}

function lockHolder(dataDir: string): { pid: number; startTime?: string; bootId?: string } {
  return JSON.parse(readFileSync(lockFileFor(dataDir), 'utf8'));
}

function busyPid(take: () => unknown): number | null {
  try {
    const release = take();
    if (typeof release === 'function') release();
    return null;
  } catch (error) {
    if (error instanceof DatabaseBusyError) return error.pid;
    throw error;
  }
}

describe('the data directory lock', () => {
  it.runIf(hasProc)("records this process's pid, start time and boot id, and releases it", () => {
    const dataDir = scratch();
    const release = acquireDataDirLock(dataDir);
    const ours = readProcessIdentity(process.pid);
    expect(lockHolder(dataDir)).toEqual({ pid: process.pid, startTime: ours?.startTime, bootId: ours?.bootId });
    expect(ours?.startTime).toMatch(/^\d+$/);
    release();
    expect(existsSync(lockFileFor(dataDir))).toBe(false);
  });

  it.runIf(hasProc)('takes over a lock whose pid is alive but started at another time (pid 1, our parent)', () => {
    for (const pid of [1, process.ppid]) {
      const identity = readProcessIdentity(pid);
      expect(identity, `identity of pid ${pid}`).not.toBeNull();
      const dataDir = scratch();
      writeLock(dataDir, { pid, startTime: String(Number(identity?.startTime) + 1), bootId: identity?.bootId });
      const release = acquireDataDirLock(dataDir);
      expect(lockHolder(dataDir).pid).toBe(process.pid);
      release();
    }
  });

  it.runIf(hasProc)('takes over a lock written during another boot', () => {
    const identity = readProcessIdentity(process.ppid);
    const dataDir = scratch();
    writeLock(dataDir, { pid: process.ppid, startTime: identity?.startTime, bootId: 'another-boot' });
    expect(busyPid(() => acquireDataDirLock(dataDir))).toBeNull();
  });

  it.runIf(hasProc)('still refuses while the process that wrote the lock is alive', () => {
    const dataDir = scratch();
    // Our parent stands in for a running Mailport: same pid, same start time, same boot.
    writeLock(dataDir, { pid: process.ppid, ...readProcessIdentity(process.ppid) });
    expect(busyPid(() => acquireDataDirLock(dataDir))).toBe(process.ppid);
    expect(lockHolder(dataDir).pid).toBe(process.ppid);
  });

  it("falls back to the pid alone where /proc can't tell (no /proc, or an older version's lock)", () => {
    const noProc = path.join(scratch(), 'no-proc');
    const dataDir = scratch();
    writeLock(dataDir, { pid: process.ppid, startTime: '1', bootId: 'another-boot' });
    expect(busyPid(() => acquireDataDirLock(dataDir, noProc))).toBe(process.ppid);

    const legacy = scratch();
    writeLock(legacy, String(process.ppid));
    expect(busyPid(() => acquireDataDirLock(legacy))).toBe(process.ppid);
  });

  it('takes over a lock whose process is gone, and an unreadable one', () => {
    const exited = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const deadPid = Number(exited.stdout);
    expect(deadPid).toBeGreaterThan(0);
    const dataDir = scratch();
    writeLock(dataDir, { pid: deadPid, startTime: '1', bootId: 'x' });
    expect(busyPid(() => acquireDataDirLock(dataDir))).toBeNull();

    const garbled = scratch();
    writeLock(garbled, 'not a lock');
    expect(busyPid(() => acquireDataDirLock(garbled))).toBeNull();
  });
});
