import type { Prisma } from '@/lib/db/generated/client';

/**
 * What the sync tells the rest of Mailport. Webhooks (lib/webhooks, issue 12
 * item 4) hang off here; the sync knows nothing about them.
 */

export interface MessagesArrived {
  accountId: string;
  sourceId: string;
  /** Mailport message ids (messages.id) of the rows just stored. */
  messageIds: string[];
}

/** Work to do once the transaction that stored the messages has committed (e.g. enqueue a delivery job). */
export type AfterCommit = () => Promise<void>;

/**
 * Messages new since the folder's first import were stored: called INSIDE the
 * transaction that inserts them (same `tx`), once per stored batch, only with
 * rows this transaction really inserted — a message is announced exactly once
 * however many workers or re-syncs saw it. Write rows (e.g. webhook deliveries)
 * with `tx`, so they commit or roll back with the messages; anything that must
 * see them committed (a pg-boss job) goes in the returned AfterCommit, which the
 * sync calls after the commit. Keep it short: no network calls inside.
 *
 * Not called for a folder's first import (the initial sync, a new folder, or a
 * folder whose UIDVALIDITY changed): those are the mailbox's past, not new mail.
 */
export async function onMessagesArrived(
  _tx: Prisma.TransactionClient,
  _event: MessagesArrived,
): Promise<AfterCommit | undefined> {
  return undefined;
}
