import type { Db } from '@/lib/db/client';
import { getConfig } from '@/lib/env';
import { verifyImapLogin } from '@/lib/imap/verify';
import { queueSourceSync } from '@/lib/mailbox-sync/mutations';
import type { AddSourceDeps, AddSourceResult } from '@/lib/sources/mutations';

/** The real world for server-side sources (POST /2.0/accounts, POST …/sources): live IMAP, the job queue. */
export function addSourceDeps(db: Db, now: Date): AddSourceDeps {
  const { allowPrivateHosts } = getConfig();
  return {
    verify: (login) => verifyImapLogin(login, { allowPrivateHosts }),
    callbackHosts: { allowPrivateHosts },
    startSync: (sourceId) => queueSourceSync(db, sourceId).then(() => undefined),
    now,
  };
}

/** A failed login check is an answer (spec §3's body), not an error. */
export function checkFailedBody(result: Extract<AddSourceResult, { reason: 'source_check_failed' }>) {
  return {
    alternative: { success: false as const, feedback_code: result.feedbackCode, connectionLog: result.connectionLog },
  };
}
