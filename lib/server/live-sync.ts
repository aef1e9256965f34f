import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { currentTime } from '@/lib/clock';
import type { Db } from '@/lib/db/client';
import { openMailboxSession } from '@/lib/mailbox-sync/imap';
import {
  claimLeases,
  countLiveSources,
  heartbeatLiveWorker,
  releaseLeases,
  renewLeases,
} from '@/lib/mailbox-sync/leases';
import { type LiveMailboxOptions, runLiveMailbox } from '@/lib/mailbox-sync/live';
import { sweepMessageArrivals } from '@/lib/webhooks/delivery';

/**
 * This process's share of the live mailboxes: every round it renews its
 * leases, counts the workers, and claims free sources up to its fair share
 * (or gives back what is above it, so a worker that joins gets half); one
 * runLiveMailbox per source held. A stop logs out of every mailbox and deletes
 * its leases, so another worker takes them at its next round.
 */

export interface LiveSyncOptions {
  allowPrivateHosts: boolean;
  pollMs: number;
  leaseMs: number;
  connectionsPerServer: number;
  unreachableMs: number;
  imapTimeoutMs?: number;
  /** How often leases are looked at; new and released sources wait at most this long. */
  roundMs?: number;
  /** At most this many sources claimed per round (a login storm spread over rounds). */
  claimsPerRound?: number;
  /** For tests: what a runner is given (openSession etc. default to the real ones). */
  runner?: Partial<LiveMailboxOptions>;
}

export interface LiveSync {
  ownerId: string;
  /** Source ids this process runs now. */
  held(): string[];
  /** Logs out of every mailbox, then releases every lease: another worker takes them at once. */
  stop(): Promise<void>;
}

/** Connection slots per IMAP server (host:port), in this process. */
export function connectionLimiter(limit: number) {
  const servers = new Map<string, { active: number; waiting: (() => void)[] }>();
  return (server: string, signal: AbortSignal): Promise<() => void> => {
    let entry = servers.get(server);
    if (!entry) {
      entry = { active: 0, waiting: [] };
      servers.set(server, entry);
    }
    const slot = entry;
    const release = () => {
      const next = slot.waiting.shift();
      if (next) next();
      else if (--slot.active === 0) servers.delete(server);
    };
    if (slot.active < limit) {
      slot.active += 1;
      return Promise.resolve(release);
    }
    return new Promise((resolve) => {
      const grant = () => {
        signal.removeEventListener('abort', cancel);
        resolve(release);
      };
      // A stopped runner leaves the queue; it resolves with a no-op and sees its signal aborted.
      const cancel = () => {
        slot.waiting = slot.waiting.filter((waiter) => waiter !== grant);
        resolve(() => {});
      };
      slot.waiting.push(grant);
      signal.addEventListener('abort', cancel, { once: true });
    });
  };
}

export function startLiveSync(db: Db, options: LiveSyncOptions): LiveSync {
  const ownerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const roundMs = options.roundMs ?? Math.min(2000, options.leaseMs / 3);
  const renewEveryMs = options.leaseMs / 3;
  /** Every runner this process has, including those told to stop (their leases are kept until they have). */
  const runners = new Map<string, { abort: AbortController; done: Promise<unknown> }>();
  const runnerOptions: LiveMailboxOptions = {
    openSession: (login) =>
      openMailboxSession(login, {
        allowPrivateHosts: options.allowPrivateHosts,
        timeoutMs: options.imapTimeoutMs ?? 30_000,
        idleSocketTimeoutMs: Math.max(10 * 60_000, options.pollMs * 2),
      }),
    now: currentTime,
    pollMs: options.pollMs,
    unreachableMs: options.unreachableMs,
    acquireConnection: connectionLimiter(options.connectionsPerServer),
    ...options.runner,
  };
  let stopping = false;
  let lastRenewal = 0;
  let timer: NodeJS.Timeout | undefined;

  const start = (sourceId: string) => {
    const abort = new AbortController();
    const done = runLiveMailbox(db, sourceId, runnerOptions, abort.signal)
      .then(async (exit) => {
        // No longer live (a refused password, disabled, deleted): the lease goes at once, not at the next renewal.
        if (exit !== 'stopped') await releaseLeases(db, ownerId, [sourceId]);
      })
      .catch((error: unknown) => console.error(`live sync of source ${sourceId} ended: ${String(error)}`))
      .finally(() => {
        if (runners.get(sourceId)?.abort === abort) runners.delete(sourceId);
      });
    runners.set(sourceId, { abort, done });
  };
  const isRunning = (sourceId: string) => runners.get(sourceId)?.abort.signal.aborted === false;
  /** Sources this process runs and keeps (not told to stop). */
  const keeping = () => [...runners.keys()].filter(isRunning);
  const stopRunner = (sourceId: string) => {
    const runner = runners.get(sourceId);
    runner?.abort.abort();
    return runner?.done;
  };
  /**
   * Stops the runners and gives their leases up once each has logged out. Never
   * awaited by a round: a runner slow to stop (a server that does not answer its
   * LOGOUT) must not hold up the heartbeat and the renewal of every other lease,
   * or those would expire and another worker would run them beside this one.
   */
  const handOver = (sourceIds: string[]) => {
    for (const sourceId of sourceIds) {
      void Promise.resolve(stopRunner(sourceId))
        .then(() => (stopping ? undefined : releaseLeases(db, ownerId, [sourceId])))
        .catch((error: unknown) =>
          console.error(`live sync: handing over source ${sourceId} failed: ${String(error)}`),
        );
    }
  };

  const round = async () => {
    const workers = await heartbeatLiveWorker(db, ownerId, options.leaseMs);
    if (Date.now() - lastRenewal >= renewEveryMs) {
      // Renews the leases of runners still stopping too: nobody else may run their sources before they end.
      const held = await renewLeases(db, ownerId, options.leaseMs);
      lastRenewal = Date.now();
      // Lost (expired and taken over) or no longer live: stop at once, another worker may run it now.
      for (const sourceId of keeping()) if (!held.has(sourceId)) void stopRunner(sourceId);
      // A runner that ended by itself (refused login) while its source is still leased: run it again.
      for (const sourceId of held) if (!runners.has(sourceId) && !stopping) start(sourceId);
    }
    if (stopping) return;
    const share = Math.ceil((await countLiveSources(db)) / workers);
    const kept = keeping();
    if (kept.length > share) {
      handOver(kept.slice(0, kept.length - share));
      return;
    }
    const wanted = Math.min(share - kept.length, options.claimsPerRound ?? 200);
    const claimed = await claimLeases(db, ownerId, options.leaseMs, wanted);
    for (const sourceId of claimed) if (!stopping) start(sourceId);
    // New mail its previous holder stored but did not live to announce (killed between the two).
    await sweepMessageArrivals(db, currentTime(), { sourceIds: claimed }).catch((error: unknown) =>
      console.error(`live sync: announcing left-over arrivals failed: ${String(error)}`),
    );
  };

  let current: Promise<void> = Promise.resolve();
  const loop = async () => {
    try {
      current = round();
      await current;
    } catch (error) {
      // The database away for a moment: the next round tries again (leases outlive a few rounds).
      if (!stopping) console.error(`live sync: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (!stopping) timer = setTimeout(loop, roundMs);
  };
  void loop();

  return {
    ownerId,
    held: keeping,
    async stop() {
      stopping = true;
      clearTimeout(timer);
      await current.catch(() => {});
      await Promise.all([...runners.keys()].map(stopRunner));
      await releaseLeases(db, ownerId);
    },
  };
}
