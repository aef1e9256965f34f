import { createHmac, timingSafeEqual } from 'node:crypto';
import { getConfig } from '@/lib/env';

/**
 * CSRF tokens for the connect pages' forms: an HMAC of the connect token under
 * the master key. Stateless (no session cookie exists on these pages), and a
 * page on another site cannot read it. Next.js also refuses server actions whose
 * Origin is not this host.
 */
export function csrfTokenFor(scope: string): string {
  return createHmac('sha256', getConfig().masterKey).update(`csrf:${scope}`).digest('base64url');
}

export function isValidCsrfToken(scope: string, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(scope));
  const actual = Buffer.from(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
