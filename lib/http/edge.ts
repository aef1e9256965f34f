import { createHash } from 'node:crypto';
import { hasMalformedPercentEncoding, MALFORMED_ADDRESS_MESSAGE } from './request';
import { NON_HTML_CONTENT_SECURITY_POLICY, STATIC_SECURITY_HEADERS } from './security-headers';

/**
 * The rules of our HTTP edge (lib/server/http-edge.ts), the server in front of
 * Next.js: it answers what Next.js would mishandle (a bare 500, an empty 405, a
 * 308 that breaks a signed POST, a 500 for a cross-origin form post) and hands
 * everything else on. Pure functions, so the rules are tested without a server.
 */

/** The methods our pages and route handlers serve; Next.js throws on any other (TRACE: a 500 and a stack trace). */
const SERVED_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);
const PAGE_METHODS = new Set(['GET', 'HEAD', 'POST']);

/**
 * The path as the client sent it, when the edge collapsed repeated slashes:
 * the OAuth signature covers the path as sent. The edge always overwrites it.
 */
export const ORIGINAL_PATH_HEADER = 'x-mailport-original-path';

/** The headers every response carries (lib/http/security-headers.ts), plus no caching of our errors. */
const SECURITY_HEADERS: Record<string, string> = {
  ...Object.fromEntries(STATIC_SECURITY_HEADERS.map(([name, value]) => [name.toLowerCase(), value])),
  'cache-control': 'no-store',
};

export type Surface = 'api' | 'page';

export interface EdgeResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type EdgeVerdict =
  | { kind: 'pass'; url: string; originalPath: string }
  | { kind: 'reject'; response: EdgeResponse };

export interface EdgeRequest {
  method: string;
  /** The request target as sent (`req.url`). */
  url: string;
  headers: { host?: string; origin?: string; 'x-forwarded-host'?: string | string[] };
}

/** `/2.0` and everything under it speaks Context.IO's JSON errors; everything else is a page. */
export function surfaceOf(path: string): Surface {
  const collapsed = collapseSlashes(path);
  return collapsed === '/2.0' || collapsed.startsWith('/2.0/') || collapsed.startsWith('/2.0?') ? 'api' : 'page';
}

export function collapseSlashes(path: string): string {
  return path.replace(/\/{2,}/g, '/');
}

export function screenRequest(request: EdgeRequest): EdgeVerdict {
  const queryAt = request.url.indexOf('?');
  const path = queryAt === -1 ? request.url : request.url.slice(0, queryAt);
  const query = queryAt === -1 ? '' : request.url.slice(queryAt);
  const surface = surfaceOf(path);
  const reject = (status: number, message: string): EdgeVerdict => ({
    kind: 'reject',
    response: errorResponse(surface, status, message, request.method),
  });

  // RFC 9110 §15.6.2: a method the server supports on no resource is a 501, not a 405 (no Allow to give).
  if (!SERVED_METHODS.has(request.method)) return reject(501, `${request.method} is not supported by this server`);
  // Pages and their route handlers only GET and POST; Next.js's own 405 would be a bare text.
  if (surface === 'page' && !PAGE_METHODS.has(request.method)) {
    const verdict = reject(405, `${request.method} is not supported on this page`);
    if (verdict.kind === 'reject') verdict.response.headers.allow = 'GET, HEAD, POST';
    return verdict;
  }
  // Absolute-form (proxy requests) and `*` targets are not ours to serve.
  if (!path.startsWith('/')) return reject(400, 'the request target must be a path');
  const collapsed = collapseSlashes(path);
  if (hasMalformedPercentEncoding(collapsed) || hasMalformedPercentEncoding(query)) {
    return reject(400, MALFORMED_ADDRESS_MESSAGE);
  }
  if (surface === 'page' && request.method === 'POST' && isCrossOrigin(request.headers)) {
    return reject(403, 'This form was sent from another site. Open the page on this site and send it again.');
  }
  // Serve `//` rather than redirect to the collapsed path: a 308 makes clients re-send (or drop) a signed POST.
  return { kind: 'pass', url: collapsed + query, originalPath: path };
}

/**
 * Next.js refuses a server action whose Origin host differs from the
 * (forwarded) Host with a 500; we refuse every such form post first, with a 403.
 * No Origin (curl, old browsers) passes: the forms' CSRF tokens guard those.
 */
function isCrossOrigin(headers: EdgeRequest['headers']): boolean {
  const origin = headers.origin;
  if (origin === undefined) return false;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return true; // `null` (sandboxed frames, privacy redirects) or garbage: not this site
  }
  const forwarded = headers['x-forwarded-host'];
  const host = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() || headers.host;
  return originHost === '' || originHost.toLowerCase() !== host?.toLowerCase();
}

/** What a client that speaks HTTP but not our request (HPE_INVALID_METHOD, bad headers) gets; see clientError. */
export function malformedRequestResponse(errorCode: string | undefined, requestHead: string): EdgeResponse {
  const [method = '', target = '/'] = requestHead.split('\r\n', 1)[0]?.split(' ') ?? [];
  const surface = surfaceOf(target);
  if (errorCode === 'HPE_INVALID_METHOD') {
    // The method token is client input: name it only when it is a plain token.
    const name = /^[A-Za-z-]{1,20}$/.test(method) ? method : 'This method';
    return errorResponse(surface, 501, `${name} is not supported by this server`, method);
  }
  if (errorCode === 'HPE_HEADER_OVERFLOW') return errorResponse(surface, 431, 'request headers too large', method);
  if (errorCode === 'ERR_HTTP_REQUEST_TIMEOUT') return errorResponse(surface, 408, 'request timed out', method);
  return errorResponse(surface, 400, 'malformed HTTP request', method);
}

export function internalErrorResponse(target: string): EdgeResponse {
  return errorResponse(surfaceOf(target), 500, 'internal error', 'GET');
}

/** A whole HTTP/1.1 response for a socket the parser gave up on (it is closed afterwards). */
export function serializeResponse(response: EdgeResponse): string {
  const reason = STATUS_TEXT[response.status] ?? 'Error';
  const lines = [`HTTP/1.1 ${response.status} ${reason}`];
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${name}: ${value}`);
  lines.push(`content-length: ${Buffer.byteLength(response.body)}`, 'connection: close', '', response.body);
  return lines.join('\r\n');
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
};

function errorResponse(surface: Surface, status: number, message: string, method: string): EdgeResponse {
  if (surface === 'api') {
    // As lib/http/respond.ts: exactly application/json, Context.IO's error shape.
    return {
      status,
      headers: {
        ...SECURITY_HEADERS,
        'content-security-policy': NON_HTML_CONTENT_SECURITY_POLICY,
        'content-type': 'application/json',
      },
      body: method === 'HEAD' ? '' : JSON.stringify({ type: 'error', value: message }),
    };
  }
  return {
    status,
    headers: {
      ...SECURITY_HEADERS,
      'content-security-policy': ERROR_PAGE_CSP,
      'content-type': 'text/html; charset=utf-8',
    },
    body: method === 'HEAD' ? '' : errorPage(status, message),
  };
}

// The look of components/ui/page-shell.tsx (Tailwind's slate/indigo), inlined: the edge answers without Next.js.
const ERROR_PAGE_STYLE = [
  'body{margin:0;min-height:100vh;background:#f8fafc;color:#0f172a;font-family:ui-sans-serif,system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}',
  'header{border-bottom:1px solid #e2e8f0;background:#fff}',
  'nav,main{margin:0 auto;max-width:56rem;padding:.75rem 1rem}',
  'nav{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center}',
  'nav a{color:#334155;text-underline-offset:4px}',
  'nav a:first-child{font-size:1.125rem;font-weight:600;color:#4338ca;text-decoration:none}',
  'main{padding-top:2rem}',
  'h1{font-size:1.5rem;font-weight:700;margin:0 0 1rem}',
  'p{max-width:40rem;line-height:1.5}',
  'a:focus-visible{outline:3px solid #4f46e5;outline-offset:2px}',
].join('');

const ERROR_PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(ERROR_PAGE_STYLE).digest('base64')}'`,
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_TITLES: Record<number, string> = {
  400: 'This address is not valid',
  403: 'This request was refused',
  405: 'This request is not supported here',
  408: 'This request took too long',
  431: 'This request is too large',
  500: 'Something went wrong',
  501: 'This request is not supported',
};

/** Only fixed texts go into the page: nothing from the request is echoed into HTML. */
function errorPage(status: number, message: string): string {
  const title = PAGE_TITLES[status] ?? 'Something went wrong';
  const text = status === 403 ? message : `${message.replace(/^[A-Z-]+ is/, 'This method is')}.`;
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Mailport</title><style>${ERROR_PAGE_STYLE}</style></head><body><header><nav aria-label="Main"><a href="/">Mailport</a><a href="/dashboard">Dashboard</a><a href="/docs/api">API reference</a></nav></header><main id="main"><h1>${title}</h1><p>${escapeHtml(text)} (HTTP ${status})</p><p><a href="/">Go to the home page</a></p></main></body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
