import { type NextRequest, NextResponse } from 'next/server';
import { findConnectCallbackUrl } from '@/lib/connect-flow/data';
import { getDb } from '@/lib/db/client';
import { getConfig, isDevelopmentBuild } from '@/lib/env';
import {
  createNonce,
  formActionSourceFor,
  NON_HTML_CONTENT_SECURITY_POLICY,
  pageContentSecurityPolicy,
  securityHeaders,
} from '@/lib/http/security-headers';

/**
 * Next.js 16's proxy (the former middleware) puts the security headers of
 * lib/http/security-headers.ts on every response. Pages get a CSP with a fresh
 * nonce; Next.js reads it from the request's CSP header and puts it on its own
 * inline scripts while rendering.
 */

/** Responses that are never HTML pages: the API, health checks, the admin channel and build assets. */
const NON_HTML_PREFIXES = ['/2.0/', '/healthz', '/internal/', '/_next/static/', '/_next/image'];
const CONNECT_PAGE = /^\/connect\/([0-9a-z]{16})\/?$/;

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname } = request.nextUrl;
  const isPage = pathname !== '/2.0' && !NON_HTML_PREFIXES.some((prefix) => pathname.startsWith(prefix));
  let csp = NON_HTML_CONTENT_SECURITY_POLICY;
  let response: NextResponse;
  // Addresses that are not UTF-8 never get here: the HTTP edge refuses them (lib/http/edge.ts).
  if (isPage) {
    const nonce = createNonce();
    csp = pageContentSecurityPolicy({
      nonce,
      formActionSources: await connectFormActionSources(pathname),
      isDevelopment: isDevelopmentBuild(),
    });
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set('content-security-policy', csp);
    response = NextResponse.next({ request: { headers: requestHeaders } });
  } else {
    response = NextResponse.next();
  }
  response.headers.set('Content-Security-Policy', csp);
  for (const [name, value] of securityHeaders(getConfig().publicUrl)) response.headers.set(name, value);
  return response;
}

/** The connect page of a token may redirect a form POST to the token's callback origin. */
async function connectFormActionSources(pathname: string): Promise<string[]> {
  const token = CONNECT_PAGE.exec(pathname)?.[1];
  if (!token) return [];
  // The header must not fail the page: with the database down the page itself says so (app/error.tsx).
  const callbackUrl = await getDb()
    .then((db) => findConnectCallbackUrl(db, token))
    .catch(() => null);
  const source = callbackUrl ? formActionSourceFor(callbackUrl) : null;
  return source ? [source] : [];
}
