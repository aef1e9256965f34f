/**
 * The end user's network address, as our HTTP edge (the server in front of
 * Next.js) determined it: the socket's peer, or — behind a proxy — the entry
 * that the configured number of trusted proxy hops put into X-Forwarded-For.
 * The edge always overwrites this header, so a client can never choose it.
 * Route handlers and server actions read it here and hand the value to the
 * domains (which never import lib/http).
 */
export const CLIENT_ADDRESS_HEADER = 'x-mailport-client-address';

/** Used when no edge set the header (e.g. `next dev`): every such client shares one bucket. */
export const UNKNOWN_CLIENT_ADDRESS = 'unknown';

export function clientAddressFrom(headers: Pick<Headers, 'get'>): string {
  const value = headers.get(CLIENT_ADDRESS_HEADER)?.trim();
  return value ? value : UNKNOWN_CLIENT_ADDRESS;
}

/**
 * The edge's rule (pure, for tests): with no trusted proxy the socket's peer;
 * behind N trusted proxies the entry N from the right of X-Forwarded-For, the
 * address the outermost trusted proxy saw. Entries further left were written by
 * the client and prove nothing. Fewer entries than hops: the leftmost one.
 */
export function resolveClientAddress(
  peerAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxyHops: number,
): string {
  const peer = withoutIpv4MappedPrefix(peerAddress?.trim() || UNKNOWN_CLIENT_ADDRESS);
  if (trustedProxyHops < 1) return peer;
  // Several X-Forwarded-For lines are one list, in order (RFC 9110 §5.3).
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const chosen = entries[Math.max(0, entries.length - trustedProxyHops)];
  return chosen ? withoutIpv4MappedPrefix(chosen) : peer;
}

/** A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; one client, one spelling. */
function withoutIpv4MappedPrefix(address: string): string {
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? address.slice(7) : address;
}
