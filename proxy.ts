import { type NextRequest, NextResponse } from 'next/server';
import { findConnectPageHints } from '@/lib/connect-flow/data';
import { getDb } from '@/lib/db/client';
import { getConfig, isDevelopmentBuild } from '@/lib/env';
import {
  createNonce,
  formActionSourceFor,
  NON_HTML_CONTENT_SECURITY_POLICY,
  pageContentSecurityPolicy,
  securityHeaders,
} from '@/lib/http/security-headers';
import { LOCALE_HEADER, resolveLocale } from '@/lib/i18n/locales';

/**
 * Next.js 16's proxy (the former middleware) puts the security headers of
 * lib/http/security-headers.ts on every response. Pages get a CSP with a fresh
 * nonce; Next.js reads it from the request's CSP header and puts it on its own
 * inline scripts while rendering.
 */

/** Responses that are never HTML pages: the API, health checks, the admin channel and build assets. */
const NON_HTML_PREFIXES = [
  '/2.0/',
  '/healthz',
  '/internal/',
  '/_next/static/',
  '/_next/image',
  '/brand-logos/',
  '/connect.js',
  '/connect-brand.css',
];
const CONNECT_PAGE = /^\/connect\/([0-9a-z]{16})\/?$/;
/**
 * Every page of one token's flow (the page, ./finish): they speak the token's language. Also the page of an
 * OAuth answer that names no token (/connect/oauth/invalid): it speaks the browser's, so `<html lang>` must too.
 */
const CONNECT_PAGES = /^\/connect\/(?:([0-9a-z]{16})(?:\/[a-z]+)?|oauth\/invalid)\/?$/;

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const { pathname } = request.nextUrl;
  const isPage = pathname !== '/2.0' && !NON_HTML_PREFIXES.some((prefix) => pathname.startsWith(prefix));
  let csp = NON_HTML_CONTENT_SECURITY_POLICY;
  let response: NextResponse;
  // Addresses that are not UTF-8 never get here: the HTTP edge refuses them (lib/http/edge.ts).
  if (isPage) {
    const nonce = createNonce();
    const hints = await connectPageHints(pathname);
    const formAction = CONNECT_PAGE.test(pathname) && hints ? formActionSourceFor(hints.callbackUrl) : null;
    csp = pageContentSecurityPolicy({
      nonce,
      formActionSources: formAction ? [formAction] : [],
      isDevelopment: isDevelopmentBuild(),
    });
    const requestHeaders = new Headers(request.headers);
    requestHeaders.set('content-security-policy', csp);
    // The root layout's <html lang>: the connect pages' language (the token's, then Accept-Language), else none.
    if (hints || CONNECT_PAGES.test(pathname)) {
      requestHeaders.set(LOCALE_HEADER, resolveLocale(hints?.locale, request.headers.get('accept-language')));
    } else {
      requestHeaders.delete(LOCALE_HEADER);
    }
    response = NextResponse.next({ request: { headers: requestHeaders } });
  } else {
    response = NextResponse.next();
  }
  response.headers.set('Content-Security-Policy', csp);
  for (const [name, value] of securityHeaders(getConfig().publicUrl)) response.headers.set(name, value);
  return response;
}

/** A connect page's token: its callback (a form POST may redirect to its origin) and its locale. */
async function connectPageHints(pathname: string) {
  const token = CONNECT_PAGES.exec(pathname)?.[1];
  if (!token) return null;
  // The header must not fail the page: with the database down the page itself says so (app/error.tsx).
  return getDb()
    .then((db) => findConnectPageHints(db, token))
    .catch(() => null);
}
