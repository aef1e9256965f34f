import { createHmac } from 'node:crypto';
import OAuth from 'oauth-1.0a';
import { describe, expect, it } from 'vitest';
import {
  baseStringUri,
  type IncomingRequestForSignature,
  OAUTH_TIMESTAMP_WINDOW_SECONDS,
  readOAuthParams,
  verifyOAuthSignature,
} from './oauth';

const KEY = 'consumer_key';
const SECRET = 'consumer_secret';
const NOW = 1456789012;

function verify(req: IncomingRequestForSignature, secret = SECRET, now = NOW) {
  const read = readOAuthParams(req);
  if (!read.ok) return read;
  return verifyOAuthSignature(req, read.params, secret, now);
}

/** Signs like the client libraries, with an independent implementation. */
function sign(options: {
  method: string;
  base?: string;
  path: string;
  query?: [string, string][];
  form?: [string, string][];
  placement: 'header' | 'query' | 'body';
  nonce?: string;
  timestamp?: number;
}): IncomingRequestForSignature {
  const base = options.base ?? 'https://api.context.io';
  const oauth = new OAuth({
    consumer: { key: KEY, secret: SECRET },
    signature_method: 'HMAC-SHA1',
    hash_function: (text, key) => createHmac('sha1', key).update(text).digest('base64'),
  });
  const encode = (pairs: [string, string][]) =>
    pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
  const query = options.query ?? [];
  const form = options.form ?? [];
  const data: Record<string, string | string[]> = {};
  for (const [n, v] of form) {
    const prev = data[n];
    data[n] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  const url = `${base}${options.path}${query.length ? `?${encode(query)}` : ''}`;
  const request = { url, method: options.method, data: form.length ? data : undefined };
  const auth = oauth.authorize(request);
  auth.oauth_nonce = options.nonce ?? auth.oauth_nonce;
  auth.oauth_timestamp = options.timestamp ?? NOW;
  const { oauth_signature: _unsigned, ...unsigned } = auth;
  auth.oauth_signature = oauth.getSignature(request, undefined, unsigned as never);
  // oauth-1.0a merges the request's own parameters into the object it returns: keep only the protocol ones.
  const oauthPairs = Object.entries(auth)
    .filter(([n]) => n.startsWith('oauth_'))
    .map(([n, v]) => [n, String(v)] as [string, string]);
  return {
    method: options.method,
    publicBaseUrl: base,
    rawPath: options.path,
    rawQuery: encode(options.placement === 'query' ? [...query, ...oauthPairs] : query),
    authorizationHeader: options.placement === 'header' ? oauth.toHeader(auth).Authorization : null,
    formBody:
      form.length || options.placement === 'body'
        ? encode(options.placement === 'body' ? [...form, ...oauthPairs] : form)
        : null,
  };
}

describe('OAuth 1.0a verification', () => {
  it("verifies the spec's reference vector", () => {
    const header =
      'OAuth oauth_consumer_key="consumer_key", oauth_nonce="static-nonce-for-testing", ' +
      'oauth_signature="2AaRHKvlFRrLVbRY7qFAJgP%2Bzjk%3D", oauth_signature_method="HMAC-SHA1", ' +
      'oauth_timestamp="1456789012", oauth_version="1.0"';
    const req: IncomingRequestForSignature = {
      method: 'POST',
      publicBaseUrl: 'https://api.context.io',
      rawPath: '/2.0/connect_tokens',
      rawQuery: '',
      authorizationHeader: header,
      formBody: 'email=%40gmail.com',
    };
    expect(verify(req)).toEqual({ ok: true, nonce: 'static-nonce-for-testing' });
    expect(verify({ ...req, formBody: 'email=%40yahoo.com' })).toEqual({
      ok: false,
      reason: 'invalid oauth_signature',
    });
  });

  for (const placement of ['header', 'query', 'body'] as const) {
    it(`verifies parameters signed in the ${placement}, with reserved and non-ASCII characters and repeats`, () => {
      const req = sign({
        method: 'POST',
        path: '/2.0/connect_tokens/',
        query: [
          ['q', 'a b&c=d+e/é'],
          ['tag', 'two'],
          ['tag', 'one'],
        ],
        form: [
          ['callback_url', 'https://app.example.com/cb?x=1&y=日本'],
          ['first_name', "O'Brien (*)"],
          ['body', ''],
        ],
        placement,
      });
      expect(verify(req)).toEqual({ ok: true, nonce: expect.any(String) });
    });
  }

  it('verifies a GET with a percent-encoded path segment, encoded or not by the client', () => {
    const encoded = sign({
      method: 'GET',
      path: '/2.0/accounts/abc/sources/jane%40x.com%3A%3Aimap/',
      placement: 'header',
    });
    expect(verify(encoded)).toMatchObject({ ok: true });
    // PHP sends `@` and `:` raw in the path while signing the canonical form.
    expect(verify({ ...encoded, rawPath: '/2.0/accounts/abc/sources/jane@x.com::imap/' })).toMatchObject({ ok: true });
    expect(baseStringUri('HTTPS://API.Example.com:443', '/2.0/a%7eb/c d')).toBe(
      'https://api.example.com/2.0/a~b/c%20d',
    );
    expect(baseStringUri('http://localhost:3000', '/x')).toBe('http://localhost:3000/x');
  });

  it("verifies a path the official Node client signed as sent, with RFC 3986's sub-delims raw", () => {
    // ContextIO-node encodes a Message-ID with encodeURIComponent (leaving ! * ' raw) and signs the path as sent.
    const asSent = sign({
      method: 'GET',
      path: `/2.0/accounts/abc/messages/${encodeURIComponent("<CA+x=/9!*'(y)@m.example>")}/body/`,
      placement: 'header',
    });
    expect(asSent.rawPath).toContain("9!*'(y)");
    expect(verify(asSent)).toMatchObject({ ok: true });
    // PHP's rawurlencode spelling of the same id, signed as sent, still verifies.
    const php = sign({
      method: 'GET',
      path: '/2.0/accounts/abc/messages/%3CCA%2Bx%3D%2F9%21%2A%27%28y%29%40m.example%3E/body',
      placement: 'header',
    });
    expect(verify(php)).toMatchObject({ ok: true });
    // Either spelling still proves only its own path.
    expect(verify({ ...asSent, rawPath: asSent.rawPath.replace('body', 'source') })).toMatchObject({ ok: false });
  });

  it('refuses a wrong secret, a tampered parameter and a different host', () => {
    const req = sign({
      method: 'POST',
      path: '/2.0/connect_tokens',
      form: [['email', 'a@b.com']],
      placement: 'header',
    });
    expect(verify(req, 'other_secret')).toEqual({ ok: false, reason: 'invalid oauth_signature' });
    expect(verify({ ...req, formBody: 'email=a%40c.com' })).toEqual({ ok: false, reason: 'invalid oauth_signature' });
    expect(verify({ ...req, publicBaseUrl: 'https://evil.example.com' })).toEqual({
      ok: false,
      reason: 'invalid oauth_signature',
    });
    expect(verify({ ...req, method: 'GET' })).toMatchObject({ ok: false });
  });

  it('refuses timestamps more than 15 minutes off in either direction', () => {
    const req = sign({ method: 'GET', path: '/2.0/connect_tokens', placement: 'header' });
    const window = OAUTH_TIMESTAMP_WINDOW_SECONDS;
    expect(verify(req, SECRET, NOW + window)).toMatchObject({ ok: true });
    expect(verify(req, SECRET, NOW - window)).toMatchObject({ ok: true });
    for (const now of [NOW + window + 1, NOW - window - 1]) {
      expect(verify(req, SECRET, now)).toEqual({
        ok: false,
        reason: 'oauth_timestamp is more than 15 minutes away from the server time',
      });
    }
  });

  it('ignores realm, needs the protocol parameters, and supports only HMAC-SHA1 1.0', () => {
    const req = sign({ method: 'GET', path: '/2.0/accounts', placement: 'header' });
    const header = req.authorizationHeader ?? '';
    expect(verify({ ...req, authorizationHeader: header.replace('OAuth ', 'OAuth realm="",') })).toMatchObject({
      ok: true,
    });
    expect(verify({ ...req, authorizationHeader: null })).toEqual({
      ok: false,
      reason: 'missing OAuth 1.0a credentials: sign the request with your consumer key and secret',
    });
    expect(verify({ ...req, authorizationHeader: header.replace(/oauth_nonce="[^"]*",?/, '') })).toEqual({
      ok: false,
      reason: 'missing oauth_nonce',
    });
    expect(verify({ ...req, authorizationHeader: header.replace('HMAC-SHA1', 'PLAINTEXT') })).toEqual({
      ok: false,
      reason: 'oauth_signature_method must be HMAC-SHA1',
    });
    expect(
      verify({ ...req, authorizationHeader: header.replace('oauth_version="1.0"', 'oauth_version="2.0"') }),
    ).toEqual({
      ok: false,
      reason: 'oauth_version must be 1.0',
    });
    expect(verify({ ...req, rawQuery: 'x=%E0%A4%A' })).toEqual({
      ok: false,
      reason: 'malformed percent-encoding in the request',
    });
  });

  it('does not sign multipart or JSON bodies (formBody null)', () => {
    const req = sign({ method: 'POST', path: '/2.0/accounts/abc', placement: 'header' });
    expect(verify({ ...req, formBody: null })).toMatchObject({ ok: true });
  });
});
