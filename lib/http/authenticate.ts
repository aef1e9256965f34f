import type { Db } from '@/lib/db/client';
import { findConsumerCredentials } from '@/lib/developers/data';
import { NonceClaim } from '@/lib/developers/mutations';
import { getConfig } from '@/lib/env';
import { apiKeyRateLimit } from '@/lib/rate-limits/schema';
import { collapseSlashes, ORIGINAL_PATH_HEADER } from './edge';
import { unauthorized } from './errors';
import { type IncomingRequestForSignature, readOAuthParams, verifyOAuthSignature } from './oauth';
import { assertStorableInput } from './request';

/**
 * Two-legged OAuth 1.0a for one request: signature and timestamp window. The
 * nonce comes back as a claim the caller must settle (record in the shared
 * database, so a replay fails on every instance) before it answers: the API
 * wrapper does, or lets the handler's first statement carry it. Settling also
 * counts the request against the key's per-minute limit (only proven requests
 * count: a stranger who knows the key cannot use up its limit).
 */
export async function authenticateRequest(
  db: Db,
  request: Request,
  formBody: string | null,
  now: Date,
): Promise<{ developerId: string; nonce: NonceClaim }> {
  const url = new URL(request.url);
  const routedPath = request.url.slice(request.url.indexOf(url.host) + url.host.length).split('?')[0] ?? url.pathname;
  // The client signed the path as sent; the edge served `//` collapsed. Only a spelling of the routed path counts.
  const sentPath = request.headers.get(ORIGINAL_PATH_HEADER);
  const rawPath = sentPath && collapseSlashes(sentPath) === routedPath ? sentPath : routedPath;
  const signed: IncomingRequestForSignature = {
    method: request.method,
    publicBaseUrl: getConfig().publicUrl,
    rawPath,
    rawQuery: url.search.replace(/^\?/, ''),
    authorizationHeader: request.headers.get('authorization'),
    formBody,
  };
  const read = readOAuthParams(signed);
  if (!read.ok) throw unauthorized(read.reason);
  // The consumer key is looked up and the nonce stored: a NUL in either must be a 400, not a database error.
  assertStorableInput({ ...read.params }, 'parameter');

  const credentials = await findConsumerCredentials(db, read.params.oauth_consumer_key);
  if (!credentials) throw unauthorized('unknown or revoked oauth_consumer_key');

  const nowSeconds = Math.floor(now.getTime() / 1000);
  let check = verifyOAuthSignature(signed, read.params, credentials.consumerSecret, nowSeconds);
  const requestOrigin = originFromHeaders(request);
  if (!check.ok && requestOrigin && requestOrigin !== signed.publicBaseUrl) {
    // A client that signed the address it actually called (say 127.0.0.1 instead of
    // MAILPORT_PUBLIC_URL's host) is still proven by the secret; accept that base too.
    check = verifyOAuthSignature(
      { ...signed, publicBaseUrl: requestOrigin },
      read.params,
      credentials.consumerSecret,
      nowSeconds,
    );
  }
  if (!check.ok) throw unauthorized(check.reason);

  const perMinute = getConfig().apiRateLimitPerMinute;
  const limit = perMinute > 0 ? apiKeyRateLimit(perMinute) : null;
  return {
    developerId: credentials.developerId,
    nonce: new NonceClaim(credentials.consumerKey, check.nonce, now, limit),
  };
}

function originFromHeaders(request: Request): string | null {
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host');
  if (!host) return null;
  const proto =
    request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim() ?? new URL(request.url).protocol.replace(':', '');
  return `${proto}://${host}`;
}
