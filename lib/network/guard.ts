import { lookup } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

/**
 * SSRF guard for any host a user or developer names (IMAP servers, callback URLs,
 * the autoconfig documents settings discovery fetches): the one owner of "may we connect there".
 * The name is resolved once and every address it has is checked, so a name that
 * points at loopback, a private network or a cloud metadata service is refused.
 * Callers then connect to the returned address, not the name, so a second DNS
 * answer cannot swap in a private address (DNS rebinding).
 */

const BLOCKED_V4 = [
  '0.0.0.0/8', // "this network", unspecified
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata (169.254.169.254)
  '172.16.0.0/12',
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // documentation
  '192.168.0.0/16',
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // documentation
  '203.0.113.0/24', // documentation
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
].map((cidr) => parseCidr(cidr, parseV4));

const BLOCKED_V6 = [
  '::/128', // unspecified
  '::1/128', // loopback
  '100::/64', // discard-only
  '2001:db8::/32', // documentation
  'fc00::/7', // unique local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated, still routed inside some networks)
  'ff00::/8', // multicast
].map((cidr) => parseCidr(cidr, parseV6));

// Prefixes whose last 32 bits are an IPv4 address: the embedded address decides.
const EMBEDDING_V4 = [
  '::ffff:0:0/96', // IPv4-mapped
  '::/96', // IPv4-compatible (deprecated)
  '64:ff9b::/96', // NAT64
  '64:ff9b:1::/48', // local-use NAT64
].map((cidr) => parseCidr(cidr, parseV6));
const SIX_TO_FOUR = parseCidr('2002::/16', parseV6); // 6to4 carries the IPv4 address in bits 16..47

function parseV4(address: string): bigint | null {
  const parts = address.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) return null;
  return parts.reduce((sum, part) => (sum << 8n) + BigInt(part), 0n);
}

function parseV6(address: string): bigint | null {
  let text = (address.split('%')[0] ?? '').toLowerCase(); // drop a zone id (fe80::1%eth0)
  const embedded = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (embedded) {
    const v4 = parseV4(embedded);
    if (v4 === null) return null;
    text = `${text.slice(0, -embedded.length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 1 ? 0 : missing).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  return groups.reduce((sum, group) => (sum << 16n) + BigInt(`0x${group}`), 0n);
}

interface Cidr {
  base: bigint;
  mask: bigint;
}

function parseCidr(cidr: string, parse: (address: string) => bigint | null): Cidr {
  const [address = '', bitsText = ''] = cidr.split('/');
  const width = parse === parseV4 ? 32n : 128n;
  const bits = BigInt(bitsText);
  const base = parse(address);
  if (base === null) throw new Error(`bad CIDR ${cidr}`);
  const mask = ((1n << width) - 1n) ^ ((1n << (width - bits)) - 1n);
  return { base: base & mask, mask };
}

const inRange = (value: bigint, { base, mask }: Cidr) => (value & mask) === base;

function isNonPublicV4(value: bigint): boolean {
  return BLOCKED_V4.some((range) => inRange(value, range));
}

/**
 * True for any address a server on the public internet should never be asked to
 * reach: loopback, private, link-local, CGNAT, multicast, unspecified, reserved,
 * and IPv6 forms that embed such an IPv4 address. Anything that is not an IP
 * address at all counts as non-public.
 */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) {
    const value = parseV4(address);
    return value === null || isNonPublicV4(value);
  }
  if (family !== 6) return true;
  const value = parseV6(address);
  if (value === null) return true;
  if (BLOCKED_V6.some((range) => inRange(value, range))) return true;
  if (EMBEDDING_V4.some((range) => inRange(value, range))) return isNonPublicV4(value & 0xffffffffn);
  if (inRange(value, SIX_TO_FOUR)) return isNonPublicV4((value >> 80n) & 0xffffffffn);
  return false;
}

export type HostCheck = { ok: true; address: string } | { ok: false; failure: 'unknown_host' | 'private_address' };

export type ResolveHost = (host: string) => Promise<{ address: string; family: number }[]>;

const resolveWithDns: ResolveHost = (host) => lookup(host, { all: true });

/**
 * Resolves `host` (a name, an IP address, or a bracketed IPv6 literal) and
 * returns the address to connect to. With `allowPrivateHosts` (self-hosted
 * installs, tests) private addresses are allowed, but the name is still resolved
 * once so callers always connect to an address.
 */
export async function checkHostAllowed(
  host: string,
  allowPrivateHosts: boolean,
  options: { timeoutMs?: number; resolve?: ResolveHost } = {},
): Promise<HostCheck> {
  const bare = host.trim().replace(/^\[(.*)\]$/, '$1');
  let addresses: { address: string; family: number }[];
  if (isIP(bare)) {
    addresses = [{ address: bare, family: isIP(bare) }];
  } else {
    if (!bare) return { ok: false, failure: 'unknown_host' };
    try {
      addresses = await withTimeout((options.resolve ?? resolveWithDns)(bare), options.timeoutMs);
    } catch {
      return { ok: false, failure: 'unknown_host' };
    }
  }
  if (addresses.length === 0) return { ok: false, failure: 'unknown_host' };
  if (!allowPrivateHosts && addresses.some((entry) => isNonPublicAddress(entry.address))) {
    return { ok: false, failure: 'private_address' };
  }
  // Connecting to one address loses Node's happy-eyeballs fallback; IPv4 first,
  // because hosts without IPv6 routes are far more common than IPv6-only servers.
  const chosen = addresses.find((entry) => entry.family === 4) ?? addresses[0];
  return chosen ? { ok: true, address: chosen.address } : { ok: false, failure: 'unknown_host' };
}

/**
 * A `lookup` for node:http(s) and node:net that answers with the address the
 * guard checked, whatever name is asked: the socket cannot reach a second DNS
 * answer, while TLS SNI, certificate checks and the Host header keep the name.
 */
export function pinnedLookup(address: string): LookupFunction {
  const family = isIP(address) === 6 ? 6 : 4;
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/**
 * The first of the given URLs (by field name) whose host is a private or local
 * address, with that host; null when all are public or none is set. A name that
 * does not resolve (or not within the timeout) passes: the check at each
 * connection still holds, and a partner's host may not be in DNS yet.
 */
export async function findPrivateUrlHost(
  urls: Record<string, string | undefined>,
  options: { allowPrivateHosts: boolean; timeoutMs?: number; resolve?: ResolveHost },
): Promise<{ field: string; host: string } | null> {
  if (options.allowPrivateHosts) return null;
  const checks = Object.entries(urls).map(async ([field, url]) => {
    if (!url) return null;
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return null; // the field's schema refuses it; nothing to resolve
    }
    const check = await checkHostAllowed(host, false, { timeoutMs: options.timeoutMs, resolve: options.resolve });
    return !check.ok && check.failure === 'private_address' ? { field, host } : null;
  });
  // Resolved at once; the first field in the caller's order wins.
  return (await Promise.all(checks)).find((found) => found !== null) ?? null;
}

/** getaddrinfo cannot be cancelled; a lookup that outlives the budget is abandoned. */
function withTimeout<T>(promise: Promise<T>, timeoutMs: number | undefined): Promise<T> {
  if (timeoutMs === undefined) return promise;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('lookup timed out')), timeoutMs);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
