import type { Db } from '@/lib/db/client';
import type { ImapLogin } from '@/lib/imap/verify';
import { changeSourceStatus } from '@/lib/sources/mutations';
import { findSourceForSync, type SourceForSync } from './data';
import type { MailboxSession, OpenSessionResult } from './imap';
import { failureMessage, openSourceSession, refreshFolders, syncFolder } from './run';

/**
 * One live source: a connection that IDLEs on INBOX (new mail, flags and
 * expunges within seconds) and every poll interval logs in afresh and looks at
 * every synced folder (other folders, new / renamed / deleted folders, and the
 * login itself: a password changed on the server is noticed at the next poll,
 * since servers keep sessions that logged in before the change). Its worker
 * holds the source's lease (./leases.ts) while this runs; aborting `signal`
 * ends it, logging out.
 */

export interface LiveMailboxOptions {
  openSession: (login: ImapLogin) => Promise<OpenSessionResult>;
  now: () => Date;
  pollMs: number;
  /** Failing to connect this long (not a refused login: that is at once) → CONNECTION_IMPOSSIBLE. */
  unreachableMs: number;
  /** Waits for a free connection to the server (`host:port`); resolves with the slot's release. */
  acquireConnection: (server: string, signal: AbortSignal) => Promise<() => void>;
  /** Reconnect delays: base·2^n up to max, each with ±50 % jitter so many sources never retry in step. */
  backoff?: { baseMs: number; maxMs: number };
  /** Logs a failure (never a secret: only the source id and the error's message). */
  log?: (message: string) => void;
}

export type LiveExit = 'stopped' | 'not_live' | 'invalid_credentials';

const isLiveStatus = (status: string) => status === 'OK' || status === 'CONNECTION_IMPOSSIBLE';

/** A delay with full jitter between half and all of base·2^attempt, capped. */
export function backoffDelay(attempt: number, { baseMs, maxMs }: { baseMs: number; maxMs: number }): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export async function runLiveMailbox(
  db: Db,
  sourceId: string,
  options: LiveMailboxOptions,
  signal: AbortSignal,
): Promise<LiveExit> {
  const backoff = options.backoff ?? { baseMs: 1000, maxMs: 5 * 60_000 };
  const log = options.log ?? ((message) => console.error(message));
  let failures = 0;
  let unreachableSince: number | null = null;
  while (!signal.aborted) {
    const source = await findSourceForSync(db, sourceId);
    if (!source || !isLiveStatus(source.status)) return 'not_live';
    let release: (() => void) | null = null;
    let isPollDue = false;
    try {
      release = await options.acquireConnection(`${source.server}:${source.port}`, signal);
      if (signal.aborted) break;
      const opened = await openSourceSession(db, source, options);
      if (!opened.ok) {
        if (opened.failure === 'auth_failed') {
          // A refused password or a dead OAuth grant will not fix itself: the source leaves the live set until re-connected.
          await changeSourceStatus(
            db,
            source,
            'INVALID_CREDENTIALS',
            opened.message ?? failureMessage('auth_failed', source.authenticationType),
            options.now(),
          );
          return 'invalid_credentials';
        }
        unreachableSince ??= Date.now();
        if (Date.now() - unreachableSince >= options.unreachableMs) {
          await changeSourceStatus(
            db,
            source,
            'CONNECTION_IMPOSSIBLE',
            failureMessage(opened.failure, source.authenticationType),
            options.now(),
          );
        }
      } else {
        failures = 0;
        unreachableSince = null;
        if (source.status !== 'OK') {
          await changeSourceStatus(db, source, 'OK', 'the mail server can be reached again', options.now());
        }
        isPollDue = (await holdSession(db, opened.session, source, options, signal)) === 'poll';
      }
    } catch (error) {
      // A dropped connection or a server error mid-pass: the checkpoints hold; reconnect after a pause.
      if (!signal.aborted) log(`live sync of source ${sourceId}: ${error instanceof Error ? error.message : error}`);
    } finally {
      release?.();
    }
    if (isPollDue || signal.aborted) continue;
    await sleep(backoffDelay(failures++, backoff), signal);
  }
  return 'stopped';
}

/** One connection's life: a full pass, then INBOX passes on every change until the poll is due. */
async function holdSession(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  options: LiveMailboxOptions,
  signal: AbortSignal,
): Promise<'poll' | 'closed' | 'stopped'> {
  try {
    const pollAt = Date.now() + options.pollMs;
    const idleFolder = await fullPass(db, session, source, options);
    for (;;) {
      const outcome = await session.waitForChange(Math.max(0, pollAt - Date.now()), signal);
      if (outcome === 'timeout') return 'poll';
      if (outcome !== 'changed') return outcome;
      if (idleFolder) await folderPass(db, session, source, idleFolder, options);
    }
  } finally {
    await session.close().catch(() => {});
  }
}

/** Every synced folder (the folder list refreshed first); leaves INBOX selected to IDLE on. */
async function fullPass(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  options: LiveMailboxOptions,
): Promise<string | null> {
  const folders = await refreshFolders(db, session, source);
  // INBOX last, so it is the folder selected when the IDLE starts.
  const inbox = folders.find((folder) => folder.name.toUpperCase() === 'INBOX');
  for (const folder of folders)
    if (folder !== inbox) await syncFolder(db, session, source, folder, passOptions(options));
  if (inbox) await syncFolder(db, session, source, inbox, passOptions(options));
  await db.sourceSync.updateMany({ where: { sourceId: source.id }, data: { lastSyncStop: options.now() } });
  return inbox?.name ?? null;
}

async function folderPass(
  db: Db,
  session: MailboxSession,
  source: SourceForSync,
  name: string,
  options: LiveMailboxOptions,
): Promise<void> {
  const folder = await db.sourceFolder.findUnique({
    where: { sourceId_name: { sourceId: source.id, name } },
    select: {
      id: true,
      name: true,
      uidValidity: true,
      highestUid: true,
      highestModseq: true,
      initialImportFinished: true,
    },
  });
  if (folder) await syncFolder(db, session, source, folder, passOptions(options));
}

const passOptions = (options: LiveMailboxOptions) => ({ now: options.now, deadline: Number.POSITIVE_INFINITY });
