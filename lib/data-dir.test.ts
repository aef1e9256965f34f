import { chmodSync, lstatSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ensurePrivateDataDir } from './data-dir';
import { openDatabase } from './db/client';
import { createDeveloperKey } from './developers/mutations';
import { parseConfig } from './env';

/** Modes of the embedded data directory: nothing in it may be open to other local users. */

const scratch = () => mkdtempSync(path.join(tmpdir(), 'mailport-datadir-'));
const modeOf = (target: string) => statSync(target).mode & 0o777;

/** Every path under root whose group or world bits are set, with its mode. */
function openToOthers(root: string): string[] {
  const found: string[] = [];
  const visit = (target: string) => {
    const stats = lstatSync(target);
    if (stats.isSymbolicLink()) return;
    if ((stats.mode & 0o077) !== 0) found.push(`${(stats.mode & 0o777).toString(8)} ${target}`);
    if (stats.isDirectory()) for (const entry of readdirSync(target)) visit(path.join(target, entry));
  };
  visit(root);
  return found;
}

// Opening the embedded database sets the process's umask to 077 (restrictNewFilesToOwner); test files
// share processes, and a later file's fixtures (the test Dovecot's passwd files) must not inherit it.
const processUmask = process.umask();
process.umask(processUmask);

afterEach(() => {
  vi.restoreAllMocks();
  process.umask(processUmask);
});

describe('ensurePrivateDataDir', () => {
  it('creates a new data directory (and missing parents) 0700', () => {
    const dataDir = path.join(scratch(), 'nested', 'data');
    ensurePrivateDataDir(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(path.dirname(dataDir))).toBe(0o700);
  });

  it('tightens an existing 0755 directory and says so once', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const dataDir = scratch();
    chmodSync(dataDir, 0o755);

    ensurePrivateDataDir(dataDir);
    ensurePrivateDataDir(dataDir);

    expect(modeOf(dataDir)).toBe(0o700);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toBe(
      `Mailport: made the data directory ${dataDir} private to its owner (it was 0755, now 0700).`,
    );
  });

  it('stays quiet about a directory that is already private', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const dataDir = scratch();
    chmodSync(dataDir, 0o700);
    ensurePrivateDataDir(dataDir);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('the embedded database on disk', () => {
  it('keeps master.key 0600 inside a 0700 directory', () => {
    const dataDir = path.join(scratch(), 'data');
    parseConfig({ MAILPORT_DATA_DIR: dataDir });
    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(path.join(dataDir, 'master.key'))).toBe(0o600);
  });

  it('leaves no file open to others after PGlite created and wrote its files', async () => {
    const dataDir = path.join(scratch(), 'data');
    const database = await openDatabase({ kind: 'embedded', dataDir });
    try {
      await createDeveloperKey(database.client, { email: 'modes@example.com', appName: 'Modes' });
      // New relation files, WAL segments and a checkpoint's rewrites are files created after opening.
      await database.client.$executeRawUnsafe('CREATE TABLE mode_probe AS SELECT generate_series(1, 50000) AS n');
      await database.client.$executeRawUnsafe('CHECKPOINT');
      expect(readdirSync(path.join(dataDir, 'pglite')).length).toBeGreaterThan(5);
      expect(openToOthers(dataDir)).toEqual([]);
    } finally {
      await database.close();
    }
    expect(openToOthers(dataDir)).toEqual([]);
  });

  it('tightens a data directory an older version left open, on the next open', async () => {
    const dataDir = path.join(scratch(), 'data');
    await (await openDatabase({ kind: 'embedded', dataDir })).close();
    // What an older Mailport left behind: ./data 0755, PGlite's files 0666.
    for (const entry of [dataDir, path.join(dataDir, 'pglite'), path.join(dataDir, 'pglite', 'base')]) {
      chmodSync(entry, 0o755);
    }
    chmodSync(path.join(dataDir, 'pglite', 'PG_VERSION'), 0o666);
    expect(openToOthers(dataDir).length).toBeGreaterThanOrEqual(4);

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const database = await openDatabase({ kind: 'embedded', dataDir });
    await database.close();
    expect(openToOthers(dataDir)).toEqual([]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/made the data directory .* private/);
  });
});
