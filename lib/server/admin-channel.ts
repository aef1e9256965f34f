import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ensurePrivateDataDir } from '@/lib/data-dir';

/**
 * In embedded mode the running app holds the only handle on the PGlite data
 * directory, so CLI commands reach the database through the app instead (and
 * operators can run housekeeping now, in any mode). The
 * app writes a one-off bearer token into the data directory (mode 0600):
 * whoever may read the data may administer it, nobody else.
 */

const channelSchema = z.object({ url: z.url(), token: z.string().min(32), pid: z.number().int() });
export type AdminChannel = z.infer<typeof channelSchema>;

const fileFor = (dataDir: string) => path.join(dataDir, 'admin-channel.json');

const globalForChannel = globalThis as unknown as { __mailportAdminToken?: string };

export function publishAdminChannel(dataDir: string, port: number): void {
  const token = randomBytes(32).toString('hex');
  globalForChannel.__mailportAdminToken = token;
  const file = fileFor(dataDir);
  const channel: AdminChannel = { url: `http://127.0.0.1:${port}`, token, pid: process.pid };
  ensurePrivateDataDir(dataDir);
  writeFileSync(file, JSON.stringify(channel), { mode: 0o600 });
  chmodSync(file, 0o600); // a file left behind by an older version keeps its mode through writeFileSync
  process.once('exit', () => {
    try {
      unlinkSync(file);
    } catch {
      // Already removed.
    }
  });
}

export function readAdminChannel(dataDir: string): AdminChannel | null {
  const file = fileFor(dataDir);
  if (!existsSync(file)) return null;
  const parsed = channelSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  return parsed.success ? parsed.data : null;
}

/** Constant-time check of an `Authorization: Bearer …` header against this process's token. */
export function isAdminRequest(authorization: string | null): boolean {
  const expected = globalForChannel.__mailportAdminToken;
  const given = authorization?.match(/^Bearer ([0-9a-f]+)$/)?.[1];
  if (!expected || !given || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
