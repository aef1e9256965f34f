/**
 * The one HTTP header policy (issue 9, defect 9). `proxy.ts` applies it to every
 * response Next.js serves; an HTTP edge in front of Next reuses the static list.
 * No imports: the proxy and any edge can load it without the app around it.
 */

/** Browser features no Mailport page uses. Copy buttons need clipboard-write, which stays at its default (self). */
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'autoplay',
  'browsing-topics',
  'camera',
  'display-capture',
  'encrypted-media',
  'fullscreen',
  'geolocation',
  'gyroscope',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'picture-in-picture',
  'publickey-credentials-get',
  'screen-wake-lock',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((feature) => `${feature}=()`)
  .join(', ');

/** Sent on every response, pages and API alike. */
export const STATIC_SECURITY_HEADERS: ReadonlyArray<readonly [name: string, value: string]> = [
  // frame-ancestors 'none' in the CSP says the same to current browsers; this is for old ones.
  ['X-Frame-Options', 'DENY'],
  ['X-Content-Type-Options', 'nosniff'],
  // The connect pages' URLs carry the token: never send them to the partner or anyone else.
  ['Referrer-Policy', 'same-origin'],
  ['Permissions-Policy', PERMISSIONS_POLICY],
];

/** One year, this host only: the operator may serve other hosts of the domain over plain HTTP. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000';

/** JSON, redirects and other non-HTML responses: nothing may load, run or frame them. */
export const NON_HTML_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/** The static headers, plus HSTS when the public URL is https (HSTS over http is ignored and misleading). */
export function securityHeaders(publicUrl: string): Array<[string, string]> {
  const headers: Array<[string, string]> = STATIC_SECURITY_HEADERS.map(([name, value]) => [name, value]);
  if (publicUrl.toLowerCase().startsWith('https://'))
    headers.push(['Strict-Transport-Security', STRICT_TRANSPORT_SECURITY]);
  return headers;
}

/** 128 random bits, base64: unguessable and new for every page response. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}

export interface PageCspOptions {
  nonce: string;
  /**
   * Extra form-action sources. Chrome checks form-action against where a form
   * POST redirects, and the connect flow without JavaScript posts a form that
   * 303-redirects to the partner's callback_url, so its pages add that origin.
   */
  formActionSources?: readonly string[];
  /** `next dev` needs eval for React's debugging; a production build never does. */
  isDevelopment?: boolean;
}

/**
 * The CSP of an HTML page. Scripts: ours only (same origin) plus Next.js's inline
 * bootstrap, which carries the per-request nonce. Styles: the Tailwind file and
 * nonce'd inline styles; no page uses style attributes, so no 'unsafe-inline'.
 */
export function pageContentSecurityPolicy({
  nonce,
  formActionSources = [],
  isDevelopment = false,
}: PageCspOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}'${isDevelopment ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    ["form-action 'self'", ...formActionSources].join(' '),
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The CSP source that lets a form redirect to a callback URL: the origin of an
 * http(s) URL, or the scheme of an app URL (`myapp:`; CSP has no finer unit for
 * schemes without a host). Null when the URL could not be expressed safely.
 */
export function formActionSourceFor(callbackUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(callbackUrl);
  } catch {
    return null;
  }
  const scheme = url.protocol.toLowerCase();
  if (scheme === 'http:' || scheme === 'https:') {
    // A source is space- and semicolon-separated: only plain host characters may pass into the policy.
    return /^https?:\/\/[a-z0-9.\-[\]:]+$/i.test(url.origin) ? url.origin : null;
  }
  return /^[a-z][a-z0-9+.-]*:$/.test(scheme) ? scheme : null;
}
