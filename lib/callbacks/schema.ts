import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { type CallbackDeliveryState, CallbackEvent as callbackEvents } from '@/lib/db/generated/enums';
import type { ResolveHost } from '@/lib/network/guard';

/** Callbacks to the developer (spec §12): events, the body, and its signature. */

// The database enums' values (prisma/schema.prisma), so column and contract cannot drift.
export type CallbackEvent = (typeof callbackEvents)[keyof typeof callbackEvents];
export type DeliveryState = (typeof CallbackDeliveryState)[keyof typeof CallbackDeliveryState];

export const callbackBody = z.object({
  account_id: z.string(),
  label: z.string(),
  connect_token: z.string(),
  event: z.enum(callbackEvents),
  status: z.string(),
  /** status_changed only: the status before this change. */
  previous_status: z.string().optional(),
  failure_message: z.string(),
  timestamp: z.number().int(),
  token: z.string(),
  signature: z.string(),
});
export type CallbackBody = z.infer<typeof callbackBody>;

/** Lowercase hex HMAC-SHA256 of `timestamp + token`, keyed with the consumer secret (Context.IO's scheme). */
export function signCallback(secret: string, timestamp: number, token: string): string {
  return createHmac('sha256', secret).update(`${timestamp}${token}`).digest('hex');
}

/** What a receiver does; here for tests and for developers reading the code. */
export function isValidCallbackSignature(
  secret: string,
  body: Pick<CallbackBody, 'timestamp' | 'token' | 'signature'>,
) {
  const expected = Buffer.from(signCallback(secret, body.timestamp, body.token));
  const given = Buffer.from(body.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The 400 for a callback URL whose host is (or resolves to) a private or local
 * address, shared by the API and the dashboard. Delivery would refuse it anyway;
 * saying so at creation beats a callback that silently never arrives.
 */
export const privateCallbackUrlMessage = (field: string, host: string) =>
  `${field} is not allowed: its host ${host} is a private or local address, and callbacks are only sent to public addresses`;

/** Whether callback URLs may name private hosts (MAILPORT_ALLOW_PRIVATE_HOSTS), and tests' DNS. */
export interface CallbackHostGuard {
  allowPrivateHosts: boolean;
  resolve?: ResolveHost;
}

/** A creation request waits at most this long on DNS; a name not resolved by then is accepted. */
export const CALLBACK_HOST_CHECK_TIMEOUT_MS = 3000;
