import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { findCallbackSigningSecret } from '@/lib/developers/data';
import { newRowId } from '@/lib/ids';
import { enqueueCallbackDelivery } from '@/lib/jobs/queue';
import { checkHostAllowed, pinnedLookup } from '@/lib/network/guard';
import { type CallbackBody, type CallbackEvent, signCallback } from './schema';

/**
 * Callbacks are persisted first, then delivered by a job: at least once,
 * retried with backoff by the queue, every attempt recorded.
 */

const TIMEOUT_MS = 10_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
/** Longer than an attempt can take (DNS check + POST, each bounded by the timeout). */
const SENDING_LEASE_MS = 3 * TIMEOUT_MS;

export interface CallbackRequest {
  sourceId: string;
  event: CallbackEvent;
  /** Set by the caller only when the developer gave a URL for this event. */
  url: string;
  status: string;
  /** status_changed: the status before the change (sent as previous_status). */
  previousStatus?: string;
  failureMessage: string;
  now: Date;
}

/**
 * Stores a signed delivery inside the caller's transaction (`transactionWithDeliveries`, which queues
 * its first attempt in it); nothing when there is nothing to send.
 */
export async function storeCallback(
  tx: Prisma.TransactionClient,
  request: CallbackRequest,
  queueDelivery: (deliveryId: string) => void,
): Promise<void> {
  if (!request.url) return;
  const source = await tx.source.findUnique({
    where: { id: request.sourceId },
    select: {
      label: true,
      accountId: true,
      account: { select: { developerId: true } },
      // The token that produced (or last re-connected) the source.
      resultTokens: { orderBy: { usedAt: 'desc' }, take: 1, select: { id: true } },
    },
  });
  if (!source) return;
  const secret = await findCallbackSigningSecret(tx, source.account.developerId);
  if (!secret) return; // every key revoked: nobody could verify it
  const timestamp = Math.floor(request.now.getTime() / 1000);
  const token = randomBytes(16).toString('hex');
  const body: CallbackBody = {
    account_id: source.accountId,
    label: source.label,
    connect_token: source.resultTokens[0]?.id ?? '',
    event: request.event,
    status: request.status,
    ...(request.previousStatus !== undefined && { previous_status: request.previousStatus }),
    failure_message: request.failureMessage,
    timestamp,
    token,
    signature: signCallback(secret, timestamp, token),
  };
  const id = newRowId();
  await tx.callbackDelivery.create({
    data: { id, sourceId: request.sourceId, url: request.url, event: request.event, body, createdAt: request.now },
  });
  queueDelivery(id);
}

/** A delivery still untried this long after it was stored lost its job (the process ended between the two). */
const STRANDED_AFTER_MS = 10 * 60_000;

/**
 * Housekeeping: queues again every delivery whose first job was lost, at most
 * once an hour each. Deliveries are stored with their jobs in one transaction
 * (transactionWithDeliveries), so this finds only those stored before that
 * was so, or whose job row was deleted.
 * A job merely late finds it delivered or in flight and does nothing twice.
 * Returns how many were queued.
 */
export async function requeueStrandedDeliveries(db: Db, now: Date): Promise<number> {
  const stranded = await db.callbackDelivery.findMany({
    where: {
      state: 'pending',
      attempts: 0,
      sendingUntil: null,
      createdAt: { lt: new Date(now.getTime() - STRANDED_AFTER_MS) },
    },
    select: { id: true },
    orderBy: { createdAt: 'asc' },
    take: 500,
  });
  let queued = 0;
  for (const { id } of stranded) {
    if (await enqueueCallbackDelivery(db, { deliveryId: id }, { onceWithinSeconds: 3600 })) queued += 1;
  }
  return queued;
}

export type RetryNowResult =
  | { ok: true; deliveryId: string }
  | { ok: false; reason: 'not_found' | 'already_delivered' };

/**
 * "Retry now" from the dashboard: one extra attempt at once. A delivery that
 * had given up goes back to pending for that attempt (and is failed again if
 * it fails); a pending one keeps its scheduled retries, so no second chain of
 * retries starts. Another developer's delivery is not found, like a missing one.
 */
export async function retryDeliveryNow(db: Db, developerId: string, deliveryId: string): Promise<RetryNowResult> {
  const delivery = await db.callbackDelivery.findFirst({
    where: { id: deliveryId, source: { account: { developerId } } },
    select: { id: true, state: true },
  });
  if (!delivery) return { ok: false, reason: 'not_found' };
  if (delivery.state === 'delivered') return { ok: false, reason: 'already_delivered' };
  const wasFailed = delivery.state === 'failed';
  if (wasFailed) {
    await db.callbackDelivery.updateMany({ where: { id: delivery.id, state: 'failed' }, data: { state: 'pending' } });
  }
  await enqueueCallbackDelivery(db, { deliveryId: delivery.id, retryNow: { giveUpOnFailure: wasFailed } });
  return { ok: true, deliveryId: delivery.id };
}

export type AttemptOutcome =
  | { kind: 'delivered' }
  | { kind: 'already_done' }
  /** Another attempt at it is in flight right now. */
  | { kind: 'busy' }
  /** `gaveUp`: this attempt turned the delivery to failed (no retry follows). */
  | { kind: 'failed'; error: string; retryable: boolean; gaveUp: boolean };

interface PostResult {
  statusCode: number | null;
  error: string;
}

/**
 * One POST to an address already checked by the SSRF guard; never follows redirects.
 * The delivery id is sent with every attempt: the same on each retry, so a receiver can drop repeats.
 */
function postJson(url: URL, address: string, body: string, deliveryId: string): Promise<PostResult> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        lookup: pinnedLookup(address),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'Mailport-Callbacks/1',
          'x-mailport-delivery-id': deliveryId,
        },
        timeout: TIMEOUT_MS,
      },
      (response) => {
        let received = 0;
        response.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > MAX_RESPONSE_BYTES) response.destroy();
        });
        const done = () => resolve({ statusCode: response.statusCode ?? null, error: '' });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ statusCode: null, error: error.code ? `${error.code}: ${error.message}` : error.message }),
    );
    request.end(body);
  });
}

type CompleteBody = (
  deliveryId: string,
) => Promise<{ ok: true; body: Prisma.InputJsonValue } | { ok: false; error: string }>;

/** The body to POST: as stored, or completed first (and stored) when its content is still to be read. */
async function bodyToSend(
  db: Db,
  delivery: { id: string; body: Prisma.JsonValue; contentPending: boolean },
  completeBody: CompleteBody | undefined,
): Promise<{ json: unknown } | { error: string }> {
  if (!delivery.contentPending || !completeBody) return { json: delivery.body };
  const completed = await completeBody(delivery.id);
  if (!completed.ok) return { error: completed.error };
  await db.callbackDelivery.update({
    where: { id: delivery.id },
    data: { body: completed.body, contentPending: false },
  });
  return { json: completed.body };
}

/**
 * One attempt at a delivery, recorded whatever happens. A 2xx answer delivers
 * it; anything else fails the attempt, and the queue retries unless this was
 * the last one (then the delivery is marked failed).
 */
export async function attemptCallbackDelivery(
  db: Db,
  deliveryId: string,
  options: {
    allowPrivateHosts: boolean;
    isLastAttempt: boolean;
    now: () => Date;
    /**
     * Completes a body whose content is still to be read (a webhook's include_body):
     * its answer is stored, so every later attempt sends the same body. A failure is a failed attempt.
     */
    completeBody?: CompleteBody;
  },
): Promise<AttemptOutcome> {
  const delivery = await db.callbackDelivery.findUnique({ where: { id: deliveryId } });
  if (delivery?.state !== 'pending') return { kind: 'already_done' };
  // Claim the delivery for this attempt: a "retry now" and a scheduled retry must not both POST.
  const leaseStart = Date.now();
  const claimed = await db.callbackDelivery.updateMany({
    where: {
      id: deliveryId,
      state: 'pending',
      OR: [{ sendingUntil: null }, { sendingUntil: { lt: new Date(leaseStart) } }],
    },
    data: { sendingUntil: new Date(leaseStart + SENDING_LEASE_MS) },
  });
  if (claimed.count === 0) return { kind: 'busy' };

  const attemptedAt = options.now();
  const started = performance.now();
  const url = new URL(delivery.url);
  const host = await checkHostAllowed(url.hostname, options.allowPrivateHosts, { timeoutMs: TIMEOUT_MS });
  let result: PostResult;
  let retryable = true;
  if (!host.ok) {
    // A private address stays private: retrying cannot help.
    retryable = host.failure !== 'private_address';
    result = {
      statusCode: null,
      error: host.failure === 'private_address' ? 'refused: private or local address' : 'unknown host',
    };
  } else {
    const body = await bodyToSend(db, delivery, options.completeBody);
    result =
      'error' in body
        ? { statusCode: null, error: body.error }
        : await postJson(url, host.address, JSON.stringify(body.json), deliveryId);
  }
  const latencyMs = Math.round(performance.now() - started);
  const delivered = result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300;
  const error = delivered ? '' : result.error || `HTTP ${result.statusCode}`;
  const finalState = delivered ? 'delivered' : !retryable || options.isLastAttempt ? 'failed' : 'pending';

  await db.$transaction([
    db.callbackAttempt.create({
      data: { id: newRowId(), deliveryId, attemptedAt, statusCode: result.statusCode, latencyMs, error },
    }),
    db.callbackDelivery.update({
      where: { id: deliveryId },
      data: {
        attempts: { increment: 1 },
        state: finalState,
        sendingUntil: null,
        ...(delivered && { deliveredAt: options.now() }),
      },
    }),
  ]);
  if (delivered) return { kind: 'delivered' };
  return { kind: 'failed', error, retryable: finalState === 'pending', gaveUp: finalState === 'failed' };
}
