import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Two-legged OAuth 1.0a, HMAC-SHA1, as Context.IO's clients sign (spec §2,
 * RFC 5849). Pure functions: the caller supplies the request as received and
 * the consumer secret, and records the nonce.
 */

export const OAUTH_TIMESTAMP_WINDOW_SECONDS = 15 * 60;

export interface IncomingRequestForSignature {
  method: string;
  /** scheme://host[:port], no trailing slash: the base the client signed. */
  publicBaseUrl: string;
  /** The path exactly as received, still percent-encoded. */
  rawPath: string;
  /** The query string as received, without `?`. */
  rawQuery: string;
  authorizationHeader: string | null;
  /** The raw body, only when it is application/x-www-form-urlencoded. */
  formBody: string | null;
}

export interface OAuthParams {
  oauth_consumer_key: string;
  oauth_signature: string;
  oauth_nonce: string;
  oauth_timestamp: string;
  oauth_signature_method: string;
  oauth_version?: string;
}

type Pair = [string, string];
type Outcome<T> = ({ ok: true } & T) | { ok: false; reason: string };

class MalformedEncoding extends Error {}

/** RFC 3986 percent-encoding: everything but unreserved characters, UTF-8, upper-case hex. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function decode(value: string, plusIsSpace: boolean): string {
  try {
    return decodeURIComponent(plusIsSpace ? value.replace(/\+/g, ' ') : value);
  } catch {
    throw new MalformedEncoding();
  }
}

/** `a=1&b=&c` → pairs, decoded as form data ('+' is a space). */
function parseFormPairs(text: string): Pair[] {
  if (!text) return [];
  return text
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const at = part.indexOf('=');
      const name = at === -1 ? part : part.slice(0, at);
      const value = at === -1 ? '' : part.slice(at + 1);
      return [decode(name, true), decode(value, true)];
    });
}

/** `OAuth realm="", oauth_consumer_key="k", …` in any order and spacing; values percent-encoded. */
function parseAuthorizationHeader(header: string): Pair[] | null {
  const match = /^\s*OAuth\s+(.*)$/is.exec(header);
  if (!match?.[1]) return null;
  const pairs: Pair[] = [];
  const pattern = /([A-Za-z0-9_.~-]+)\s*=\s*(?:"([^"]*)"|([^\s,]*))/g;
  for (let found = pattern.exec(match[1]); found; found = pattern.exec(match[1])) {
    const name = found[1] ?? '';
    if (name.toLowerCase() === 'realm') continue;
    pairs.push([decode(name, false), decode(found[2] ?? found[3] ?? '', false)]);
  }
  return pairs;
}

const isOAuthName = (name: string) => name.startsWith('oauth_');

interface CollectedParams {
  oauth: Pair[];
  /** Query and form parameters that are not OAuth protocol parameters. */
  other: Pair[];
}

function collect(req: IncomingRequestForSignature): CollectedParams {
  const headerPairs = req.authorizationHeader ? parseAuthorizationHeader(req.authorizationHeader) : null;
  const queryPairs = parseFormPairs(req.rawQuery);
  const bodyPairs = req.formBody === null ? [] : parseFormPairs(req.formBody);
  if (headerPairs?.some(([name]) => isOAuthName(name))) {
    return { oauth: headerPairs.filter(([name]) => isOAuthName(name)), other: [...queryPairs, ...bodyPairs] };
  }
  // Without a header, the protocol parameters travel in the query or the form body.
  const all = [...queryPairs, ...bodyPairs];
  return { oauth: all.filter(([name]) => isOAuthName(name)), other: all.filter(([name]) => !isOAuthName(name)) };
}

export function readOAuthParams(req: IncomingRequestForSignature): Outcome<{ params: OAuthParams }> {
  let collected: CollectedParams;
  try {
    collected = collect(req);
  } catch (error) {
    if (error instanceof MalformedEncoding) return { ok: false, reason: 'malformed percent-encoding in the request' };
    throw error;
  }
  const value = (name: string) => collected.oauth.find(([key]) => key === name)?.[1];
  for (const required of ['oauth_consumer_key', 'oauth_signature', 'oauth_nonce', 'oauth_timestamp']) {
    if (!value(required)) {
      return {
        ok: false,
        reason:
          collected.oauth.length === 0
            ? 'missing OAuth 1.0a credentials: sign the request with your consumer key and secret'
            : `missing ${required}`,
      };
    }
  }
  const method = value('oauth_signature_method') ?? '';
  if (method !== 'HMAC-SHA1') return { ok: false, reason: 'oauth_signature_method must be HMAC-SHA1' };
  const version = value('oauth_version');
  if (version !== undefined && version !== '1.0') return { ok: false, reason: 'oauth_version must be 1.0' };
  return {
    ok: true,
    params: {
      oauth_consumer_key: value('oauth_consumer_key') ?? '',
      oauth_signature: value('oauth_signature') ?? '',
      oauth_nonce: value('oauth_nonce') ?? '',
      oauth_timestamp: value('oauth_timestamp') ?? '',
      oauth_signature_method: method,
      ...(version !== undefined && { oauth_version: version }),
    },
  };
}

/**
 * How the path enters the base string: canonical (RFC 3986 re-encoded), or exactly as sent.
 * The official Node client sends `!`, `*` (and `(`, `)`) raw, as encodeURIComponent leaves
 * them, and signs them raw (request + oauth-sign), which the canonical form would escape:
 * a Message-ID such as `<a!b@x>` in the path needs the second spelling.
 */
export type PathSpelling = 'canonical' | 'as-sent';
const PATH_SPELLINGS: readonly PathSpelling[] = ['canonical', 'as-sent'];

/**
 * The base string URI (RFC 5849 §3.4.1.2): lower-case scheme and host, no
 * default port, and the path in canonical encoding. PHP's client signs `@` and
 * `:` raw while Node's and Python's encode them; decoding each segment and
 * re-encoding it with RFC 3986 gives the form all of them computed.
 */
export function baseStringUri(publicBaseUrl: string, rawPath: string, spelling: PathSpelling = 'canonical'): string {
  const base = new URL(publicBaseUrl);
  const scheme = base.protocol.toLowerCase();
  const defaultPort = (scheme === 'http:' && base.port === '80') || (scheme === 'https:' && base.port === '443');
  const host = base.hostname.toLowerCase() + (base.port && !defaultPort ? `:${base.port}` : '');
  const basePath = base.pathname.replace(/\/+$/, '');
  const path =
    spelling === 'as-sent'
      ? rawPath
      : rawPath
          .split('/')
          .map((segment) => percentEncode(decode(segment, false)))
          .join('/');
  return `${scheme}//${host}${basePath}${path}`;
}

export function signatureBaseString(
  req: IncomingRequestForSignature,
  oauth: Pair[],
  other: Pair[],
  spelling: PathSpelling = 'canonical',
): string {
  const normalized = [...oauth.filter(([name]) => name !== 'oauth_signature'), ...other]
    .map(([name, value]) => [percentEncode(name), percentEncode(value)] as Pair)
    .sort(([nameA, valueA], [nameB, valueB]) =>
      nameA < nameB ? -1 : nameA > nameB ? 1 : valueA < valueB ? -1 : valueA > valueB ? 1 : 0,
    )
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  return [
    req.method.toUpperCase(),
    percentEncode(baseStringUri(req.publicBaseUrl, req.rawPath, spelling)),
    percentEncode(normalized),
  ].join('&');
}

export function hmacSha1Signature(baseString: string, consumerSecret: string): string {
  return createHmac('sha1', `${percentEncode(consumerSecret)}&`)
    .update(baseString)
    .digest('base64');
}

export function verifyOAuthSignature(
  req: IncomingRequestForSignature,
  params: OAuthParams,
  consumerSecret: string,
  nowSeconds: number,
): Outcome<{ nonce: string }> {
  if (!/^\d{1,12}$/.test(params.oauth_timestamp)) return { ok: false, reason: 'oauth_timestamp must be Unix seconds' };
  if (Math.abs(Number(params.oauth_timestamp) - nowSeconds) > OAUTH_TIMESTAMP_WINDOW_SECONDS) {
    return { ok: false, reason: 'oauth_timestamp is more than 15 minutes away from the server time' };
  }
  const given = Buffer.from(params.oauth_signature);
  let matches = false;
  try {
    const { oauth, other } = collect(req);
    // The canonical spelling first (every client but one); the as-sent one only when it differs and is needed.
    let previous = '';
    for (const spelling of PATH_SPELLINGS) {
      const baseString = signatureBaseString(req, oauth, other, spelling);
      if (baseString === previous) continue;
      previous = baseString;
      const wanted = Buffer.from(hmacSha1Signature(baseString, consumerSecret));
      if (given.length === wanted.length && timingSafeEqual(given, wanted)) {
        matches = true;
        break;
      }
    }
  } catch (error) {
    if (error instanceof MalformedEncoding) return { ok: false, reason: 'malformed percent-encoding in the request' };
    throw error;
  }
  if (!matches) return { ok: false, reason: 'invalid oauth_signature' };
  return { ok: true, nonce: params.oauth_nonce };
}
