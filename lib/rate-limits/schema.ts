/**
 * The guessing limits, in one table: how many attempts each subject gets in a
 * fixed window. Counters live in `rate_limit_counters` (see mutations.ts); an
 * attempt is claimed before the expensive or revealing check (argon2, an IMAP
 * login), so a burst of concurrent requests gets exactly `max` through.
 *
 * The per-address limits are deliberately generous: behind one NAT many people
 * share an address (the HTTP edge gives it, lib/http/client-address.ts; under
 * `next dev` every request shares the one `unknown` bucket, and e2e signs in
 * from one address). The per-account and per-mailbox limits are the tight ones.
 */

const MINUTE_MS = 60 * 1000;
const HOUR_MS = 60 * MINUTE_MS;

export interface RateLimit {
  /** Stored in clear as the key's prefix, so a row says which limit it counts. */
  name: string;
  max: number;
  windowMs: number;
}

export const RATE_LIMITS = {
  /** Dashboard: wrong passwords per email (known or not). A right password gives its attempt back. */
  signInAccount: { name: 'sign-in-account', max: 10, windowMs: 15 * MINUTE_MS },
  /** Dashboard: wrong passwords per client address, across emails (password spraying). */
  signInAddress: { name: 'sign-in-address', max: 100, windowMs: 15 * MINUTE_MS },
  /** Dashboard: sign-ups per client address (each costs an argon2 hash), whatever their outcome. */
  signUpAddress: { name: 'sign-up-address', max: 100, windowMs: HOUR_MS },
  /** Connect flow: logins per connect token that may have reached the IMAP server. */
  connectToken: { name: 'connect-token', max: 5, windowMs: 15 * MINUTE_MS },
  /** Connect flow: the same, per mailbox (server + username), across tokens and developers. */
  connectMailbox: { name: 'connect-mailbox', max: 10, windowMs: HOUR_MS },
  /** Connect flow: the same, per client address, across tokens and mailboxes. */
  connectAddress: { name: 'connect-address', max: 30, windowMs: HOUR_MS },
} as const satisfies Record<string, RateLimit>;

/**
 * /2.0 requests per API key (MAILPORT_API_RATE_LIMIT_PER_MINUTE): a fixed one-minute window,
 * counted in the same statement that records the request's nonce (lib/developers/mutations.ts).
 */
export function apiKeyRateLimit(perMinute: number) {
  return { name: 'api-key', max: perMinute, windowMs: MINUTE_MS } as const satisfies RateLimit;
}

export type RateLimitName =
  | (typeof RATE_LIMITS)[keyof typeof RATE_LIMITS]['name']
  | ReturnType<typeof apiKeyRateLimit>['name'];

/** One counter an attempt draws on: a limit and what it is counted for (an email, an address…). */
export interface RateLimitSubject {
  limit: RateLimit & { name: RateLimitName };
  subject: string;
}

/**
 * The bucket of a client address. IPv6 is counted per /64: one subscriber
 * usually holds a whole /64, so counting single addresses would give them 2^64
 * buckets. IPv4-mapped IPv6 is its IPv4 address. Anything unparseable (e.g.
 * `unknown`) is its own bucket.
 */
export function clientAddressBucket(address: string): string {
  const text = address
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (!text.includes(':')) return text;
  const groups = expandIpv6(text.split('%')[0] ?? '');
  if (!groups) return text;
  if (groups.slice(0, 5).every((group) => group === '0000') && groups[5] === 'ffff') {
    const low = Number.parseInt(`${groups[6]}${groups[7]}`, 16);
    return [low >>> 24, (low >>> 16) & 255, (low >>> 8) & 255, low & 255].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, zero-padded; null when it is not one. */
function expandIpv6(text: string): string[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const split = (half: string | undefined) => (half ? half.split(':') : []);
  const toHex = (groups: string[]): string[] | null => {
    const last = groups.at(-1);
    if (last?.includes('.')) {
      const octets = last.split('.').map(Number);
      if (octets.length !== 4 || octets.some((octet) => !Number.isInteger(octet) || octet < 0 || octet > 255)) {
        return null;
      }
      const [a = 0, b = 0, c = 0, d = 0] = octets;
      groups = [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    }
    return groups.every((group) => /^[0-9a-f]{1,4}$/.test(group)) ? groups : null;
  };
  const left = toHex(split(halves[0]));
  const right = toHex(split(halves[1]));
  if (!left || !right) return null;
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((group) => group.padStart(4, '0'));
}

/**
 * A mailbox as the per-mailbox limit counts it: the server name (no port, so
 * switching between 993 and 143 buys nothing) and the username, both without
 * case, so spelling variants share one counter.
 */
export function mailboxSubject(server: string, username: string): string {
  const host = server
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  return `${host}\n${username.trim().toLowerCase()}`;
}
