import type { Db } from '@/lib/db/client';
import { openMailboxSession } from './imap';
import { runSourceSync } from './run';

/** A source's sync run here and now, as a worker's first attempt would (tests; private test hosts allowed). */
export function syncLocalMailbox(db: Db, sourceId: string) {
  return runSourceSync(db, sourceId, {
    openSession: (login) => openMailboxSession(login, { allowPrivateHosts: true }),
    now: () => new Date(),
    budgetMs: 60_000,
    isLastAttempt: false,
  });
}
