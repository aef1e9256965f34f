import { randomBytes } from 'node:crypto';
import { findAccount } from '@/lib/accounts/data';
import { signCallback } from '@/lib/callbacks/schema';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { findCallbackSigningSecret } from '@/lib/developers/data';
import { getConfig } from '@/lib/env';
import { newRowId } from '@/lib/ids';
import { transactionWithDeliveries } from '@/lib/jobs/queue';
import { readContentFor } from '@/lib/message-content/content';
import { locateMessages } from '@/lib/message-content/data';
import type { BodyType } from '@/lib/message-content/schema';
import { messageSelect } from '@/lib/messages/data';
import { messageResourceUrl, serializeMessage } from '@/lib/messages/serialize';
import { liveWebhooksFor } from './data';
import { type Address, isMessageForWebhook, type MessageFacts } from './rules';
import type { WebhookDeliveryBody, WebhookFailureBody } from './schema';

/**
 * Webhook deliveries (spec §15). A new message is matched against the live
 * webhooks and each match becomes a callback delivery (lib/callbacks: one
 * engine persists, signs, POSTs, retries and records every attempt). Each
 * delivery's body is signed at creation and sent unchanged on every retry, so
 * `message_data.message_id` + `timestamp` (and the X-Mailport-Delivery-Id
 * header) let a receiver drop a repeat.
 */

/** Messages matched per round: bounds the rows held whatever a sync brought in. */
const MATCH_BATCH = 500;
/** An arrival left this long was not matched by its sync (a crash between storing and matching): the sweep takes it. */
export const ARRIVAL_SWEEP_AFTER_MS = 60_000;

const matchSelect = {
  ...messageSelect,
  sourceId: true,
  folder: { select: { name: true, specialUse: true, source: { select: { label: true } } } },
} satisfies Prisma.MessageSelect;

const addresses = (value: unknown): Address[] => (Array.isArray(value) ? (value as Address[]) : []);

function signed(secret: string, now: Date) {
  const timestamp = Math.floor(now.getTime() / 1000);
  const token = randomBytes(16).toString('hex');
  return { timestamp, token, signature: signCallback(secret, timestamp, token) };
}

export interface MessagesArrived {
  accountId: string;
  sourceId: string;
  messageIds: string[];
}

/**
 * Matches new messages of one account against its live webhooks and queues a
 * delivery per match. Safe to call twice for the same messages (the sync and
 * the sweep): one delivery per webhook, message and event is kept. Returns the
 * ids of the deliveries queued by this call.
 */
export async function queueWebhookDeliveries(db: Db, arrived: MessagesArrived, now: Date): Promise<string[]> {
  const queued: string[] = [];
  for (let start = 0; start < arrived.messageIds.length; start += MATCH_BATCH) {
    const messageIds = arrived.messageIds.slice(start, start + MATCH_BATCH);
    queued.push(...(await queueBatch(db, arrived.accountId, messageIds, now)));
  }
  return queued;
}

type MatchRow = Prisma.MessageGetPayload<{ select: typeof matchSelect }>;
type DeliveredEvent = 'message_new' | 'message_flags_changed' | 'message_deleted';

/** A message to match: new (read from messages) or changed (as the change statement saw it). */
interface Candidate {
  row: MatchRow;
  event: DeliveredEvent;
  /** The message_changes row ('' for new mail): each change of a message is its own delivery. */
  changeId: string;
}

async function queueBatch(db: Db, accountId: string, messageIds: string[], now: Date): Promise<string[]> {
  const clearArrivals: ClearOutbox = (client) =>
    client.messageArrival.deleteMany({ where: { messageId: { in: messageIds } } });
  const messages = await db.message.findMany({ where: { id: { in: messageIds }, accountId }, select: matchSelect });
  const candidates = messages.map((row): Candidate => ({ row, event: 'message_new', changeId: '' }));
  return queueMatches(db, accountId, candidates, clearArrivals, now);
}

/**
 * Matches changes found by the sync (message_changes rows: flags changed,
 * message expunged) against the account's receive_all_changes webhooks and
 * queues a delivery per match, as for new mail. Safe to call twice for the same
 * changes. Returns the ids of the deliveries queued by this call.
 */
export async function queueWebhookChangeDeliveries(db: Db, changeIds: string[], now: Date): Promise<string[]> {
  const queued: string[] = [];
  for (let start = 0; start < changeIds.length; start += MATCH_BATCH) {
    const changes = await db.messageChange.findMany({
      where: { id: { in: changeIds.slice(start, start + MATCH_BATCH) } },
      orderBy: { createdAt: 'asc' },
      select: { id: true, accountId: true, event: true, snapshot: true },
    });
    const byAccount = new Map<string, typeof changes>();
    for (const change of changes) byAccount.set(change.accountId, [...(byAccount.get(change.accountId) ?? []), change]);
    for (const [accountId, rows] of byAccount) {
      const candidates = rows.map(
        (change): Candidate => ({
          row: rowFromSnapshot(change.snapshot),
          event: change.event as DeliveredEvent,
          changeId: change.id,
        }),
      );
      const clear: ClearOutbox = (client) =>
        client.messageChange.deleteMany({ where: { id: { in: rows.map((row) => row.id) } } });
      queued.push(...(await queueMatches(db, accountId, candidates, clear, now)));
    }
  }
  return queued;
}

/** The snapshot written by the change statement (lib/mailbox-sync/mutations.ts) as a matched row. */
function rowFromSnapshot(snapshot: unknown): MatchRow {
  const row = snapshot as MatchRow & { date: string | null; dateReceived: string | null };
  // timestamp(3) columns are UTC without a zone in JSON.
  const asDate = (value: string | null) => (value === null ? null : new Date(`${value}Z`));
  return { ...row, date: asDate(row.date), dateReceived: asDate(row.dateReceived) } as MatchRow;
}

async function queueMatches(
  db: Db,
  accountId: string,
  candidates: Candidate[],
  clearOutbox: ClearOutbox,
  now: Date,
): Promise<string[]> {
  const account = await db.account.findUnique({ where: { id: accountId }, select: { developerId: true } });
  const webhooks = account ? await liveWebhooksFor(db, account.developerId, accountId) : [];
  // Every key revoked: nobody could verify a signature, as for callbacks.
  const secret = account && webhooks.length > 0 ? await findCallbackSigningSecret(db, account.developerId) : null;
  if (!account || !secret) {
    await clearOutbox(db);
    return [];
  }
  const threadIds = [...new Set(candidates.map(({ row }) => row.threadId))];
  const threadMessages = webhooks.some((webhook) => webhook.filterThread)
    ? await db.message.findMany({
        where: { accountId, threadId: { in: threadIds } },
        select: { threadId: true, emailMessageId: true },
      })
    : [];
  const { publicUrl } = getConfig();
  const rows: Prisma.CallbackDeliveryCreateManyInput[] = [];
  for (const { row: message, event, changeId } of candidates) {
    const facts: MessageFacts = {
      from: addresses(message.fromAddresses),
      to: addresses(message.toAddresses),
      cc: addresses(message.ccAddresses),
      subject: message.subject,
      fileNames: message.files.map((file) => file.fileName),
      folder: message.folder.name,
      isDraft: message.folder.specialUse === '\\Drafts',
      threadIds: [message.threadId, message.gmailThreadId].filter(Boolean),
      threadMessageIds: threadMessages
        .filter((row) => row.threadId === message.threadId && row.emailMessageId)
        .map((row) => row.emailMessageId),
    };
    const isNew = event === 'message_new';
    // A change carries the flags it is about (the new ones; a deleted message's last ones).
    const messageData = serializeMessage(message, publicUrl, { includeFlags: !isNew });
    for (const webhook of webhooks) {
      if (!isNew && !webhook.receiveAllChanges) continue;
      if (!isMessageForWebhook(webhook, facts)) continue;
      const body: WebhookDeliveryBody = {
        account_id: accountId,
        webhook_id: webhook.id,
        ...(webhook.receiveAllChanges && { event }),
        ...signed(secret, now),
        message_data: messageData,
      };
      rows.push({
        id: newRowId(),
        sourceId: message.sourceId,
        url: webhook.callbackUrl,
        event,
        body: body as Prisma.InputJsonValue,
        webhookId: webhook.id,
        messageId: message.id,
        changeId,
        // A deleted message's content is gone from the server.
        contentPending: event !== 'message_deleted' && (webhook.includeBody || webhook.includeHeader),
        createdAt: now,
      });
    }
  }
  // The deliveries, their jobs and the end of the outbox rows together: a crash leaves all or none.
  return transactionWithDeliveries(db, async (tx, queueDelivery) => {
    await tx.callbackDelivery.createMany({ data: rows, skipDuplicates: true });
    await clearOutbox(tx);
    if (rows.length === 0) return [];
    // A concurrent match of the same messages may have won some rows: queue only ours.
    const created = await tx.callbackDelivery.findMany({
      where: { id: { in: rows.map((row) => row.id as string) } },
      select: { id: true },
    });
    for (const { id } of created) queueDelivery(id);
    return created.map((row) => row.id);
  });
}

/** Deletes the outbox rows (arrivals or changes) a match has handled, with the client it is given. */
type ClearOutbox = (client: Db | Prisma.TransactionClient) => Promise<unknown>;

/**
 * The delivery's body with the message content its webhook asked for
 * (include_body / include_header), read from the mail server through
 * lib/message-content before the first POST. A message no longer on the
 * server, or too large for JSON, is sent without it; an unreachable server is
 * a failed attempt, retried like any other.
 */
export async function readWebhookContent(
  db: Db,
  deliveryId: string,
): Promise<{ ok: true; body: Prisma.InputJsonValue } | { ok: false; error: string }> {
  const delivery = await db.callbackDelivery.findUnique({
    where: { id: deliveryId },
    select: {
      body: true,
      messageId: true,
      source: { select: { accountId: true } },
      webhook: { select: { developerId: true, includeBody: true, bodyType: true, includeHeader: true } },
    },
  });
  if (!delivery) return { ok: false, error: 'the delivery is gone' };
  const body = delivery.body as WebhookDeliveryBody;
  const { webhook, messageId } = delivery;
  const account = webhook && (await findAccount(db, webhook.developerId, delivery.source.accountId));
  if (!webhook || !messageId || !account) return { ok: true, body: body as Prisma.InputJsonValue };
  const { publicUrl } = getConfig();
  const content = await readContentFor(
    await locateMessages(db, account, [messageId]),
    {
      include_body: webhook.includeBody,
      body_type: (webhook.bodyType || undefined) as BodyType | undefined,
      include_headers: webhook.includeHeader ? 'parsed' : undefined,
    },
    (id) => `${messageResourceUrl(publicUrl, account.id, id)}/source`,
  );
  if (!content.ok && content.reason === 'imap_unavailable') {
    return { ok: false, error: `could not read the message from the mail server: ${content.message}` };
  }
  const extra = content.ok ? content.byId.get(messageId) : undefined;
  return {
    ok: true,
    body: {
      ...body,
      message_data: {
        ...body.message_data,
        ...(extra?.body && { body: extra.body }),
        ...(extra?.headers !== undefined && { headers: extra.headers }),
      },
    } as Prisma.InputJsonValue,
  };
}

/**
 * A webhook delivery was given up: the webhook gets `failure` (and stops
 * matching until set active again) and, the first time, its failure_notif_url
 * is told. Later give-ups of the same episode add nothing. Returns the notice's delivery id.
 */
export async function reportWebhookGaveUp(db: Db, deliveryId: string, now: Date): Promise<string | null> {
  const delivery = await db.callbackDelivery.findUnique({
    where: { id: deliveryId },
    select: {
      state: true,
      event: true,
      sourceId: true,
      messageId: true,
      attempts: true,
      source: { select: { accountId: true } },
      webhook: { select: { id: true, developerId: true, failureNotifUrl: true } },
      attemptsMade: { orderBy: [{ attemptedAt: 'desc' }, { id: 'desc' }], take: 1, select: { error: true } },
    },
  });
  const webhook = delivery?.webhook;
  const isMessageEvent = ['message_new', 'message_flags_changed', 'message_deleted'].includes(delivery?.event ?? '');
  if (!delivery || !webhook || delivery.state !== 'failed' || !isMessageEvent) return null;
  const secret = webhook.failureNotifUrl ? await findCallbackSigningSecret(db, webhook.developerId) : null;
  const noticeId = newRowId();
  return transactionWithDeliveries(db, async (tx, queueDelivery) => {
    const flipped = await tx.webhook.updateMany({ where: { id: webhook.id, failure: false }, data: { failure: true } });
    if (flipped.count === 0 || !secret) return null;
    const lastError = delivery.attemptsMade[0]?.error || 'no answer';
    const body: WebhookFailureBody = {
      webhook_id: webhook.id,
      account_id: delivery.source.accountId,
      failure_message: `gave up after ${delivery.attempts} attempts; the last one: ${lastError}`,
      ...signed(secret, now),
    };
    await tx.callbackDelivery.create({
      data: {
        id: noticeId,
        sourceId: delivery.sourceId,
        url: webhook.failureNotifUrl,
        event: 'webhook_failed',
        body,
        webhookId: webhook.id,
        createdAt: now,
      },
    });
    queueDelivery(noticeId);
    return noticeId;
  });
}

/**
 * Arrivals and changes no sync matched (it died between storing and matching): matched now. Returns the
 * deliveries queued. Housekeeping takes those older than ARRIVAL_SWEEP_AFTER_MS; a worker that has just
 * claimed live sources takes theirs whatever their age (`sourceIds`), since whoever stored them no longer
 * holds the source: after a crash the mail is announced within a takeover, not at the next housekeeping
 * run. Matching twice is harmless (one delivery per webhook, message, event and change).
 */
export async function sweepMessageArrivals(db: Db, now: Date, claimed?: { sourceIds: string[] }): Promise<number> {
  if (claimed && claimed.sourceIds.length === 0) return 0;
  const before = new Date(now.getTime() - ARRIVAL_SWEEP_AFTER_MS);
  const leftFor = claimed ? { sourceId: { in: claimed.sourceIds } } : { createdAt: { lt: before } };
  const stale = await db.messageArrival.findMany({
    where: leftFor,
    orderBy: { createdAt: 'asc' },
    take: 5000,
    select: { messageId: true, accountId: true, sourceId: true },
  });
  // Matching needs only the account; a sync's sourceId is informational.
  const byAccount = new Map<string, string[]>();
  for (const row of stale) byAccount.set(row.accountId, [...(byAccount.get(row.accountId) ?? []), row.messageId]);
  let queued = 0;
  for (const [accountId, messageIds] of byAccount) {
    queued += (await queueWebhookDeliveries(db, { accountId, sourceId: '', messageIds }, now)).length;
  }
  const changes = await db.messageChange.findMany({
    where: leftFor,
    orderBy: { createdAt: 'asc' },
    take: 5000,
    select: { id: true },
  });
  queued += (
    await queueWebhookChangeDeliveries(
      db,
      changes.map((row) => row.id),
      now,
    )
  ).length;
  return queued;
}
