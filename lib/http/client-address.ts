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
