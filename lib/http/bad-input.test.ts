import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { screenRequest } from './edge';
import { API_ERROR_STATUS, ApiError } from './errors';
import { readOAuthParams } from './oauth';
import { parseRequest } from './request';

/**
 * Issue 16.1, in process: the pure front line every request crosses (the
 * edge's screening, the body parser, OAuth's parameter reader) answers any
 * input with a value or an ApiError of a 4xx status, never another exception
 * (which the wrapper would turn into a 500). The HTTP suites in e2e/fuzz/ cover
 * the same over the wire; these run in milliseconds, so they try many more shapes.
 */

const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'binary-ascii', maxLength: 40 }));
const percentJunk = fc.string({
  unit: fc.constantFrom('%', 'e', 'D', '0', '8', 'F', 'z', '/', '?', '&', '=', '+', 'a'),
});
const contentType = fc.oneof(
  fc.constantFrom(
    'application/x-www-form-urlencoded',
    'application/json',
    'application/ld+json',
    'multipart/form-data; boundary=x',
    'multipart/form-data',
    'text/plain',
    '',
  ),
  // What a wire header can carry: printable ASCII, not blank.
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((value) => value.trim() !== ''),
);

describe('the request front line under generated input', () => {
  test.prop(
    [
      fc.constantFrom('POST', 'DELETE'),
      contentType,
      fc.oneof(
        fc.uint8Array({ maxLength: 80 }),
        text.map((value) => new TextEncoder().encode(value)),
      ),
      percentJunk,
    ],
    { numRuns: 400 },
  )('parseRequest returns input or refuses with a 4xx ApiError', async (method, type, body, query) => {
    const request = new Request(`http://localhost/2.0/accounts?${encodeURI(query).replace(/%25/g, '%')}`, {
      method,
      headers: type ? { 'content-type': type } : {},
      body: body as BodyInit,
    });
    try {
      const parsed = await parseRequest(request);
      expect(typeof parsed.input).toBe('object');
    } catch (error) {
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBeGreaterThanOrEqual(400);
      expect((error as ApiError).status).toBeLessThan(500);
      expect(Object.values(API_ERROR_STATUS)).toContain((error as ApiError).status);
    }
  });

  test.prop([text, percentJunk, fc.option(text), fc.option(percentJunk)], { numRuns: 400 })(
    'readOAuthParams answers a verdict for any header, path, query and body',
    (header, rawQuery, body, rawPath) => {
      const outcome = readOAuthParams({
        method: 'POST',
        publicBaseUrl: 'http://localhost:3000',
        rawPath: `/2.0/${rawPath ?? ''}`,
        rawQuery,
        authorizationHeader: `OAuth ${header}`,
        formBody: body,
      });
      expect(typeof outcome.ok).toBe('boolean');
    },
  );

  test.prop([fc.constantFrom('GET', 'POST', 'TRACE', 'PROPFIND', 'get'), percentJunk, text], { numRuns: 400 })(
    'the edge passes or answers with a 4xx/5xx of its own format, never throws',
    (method, path, origin) => {
      const verdict = screenRequest({ method, url: `/${path}`, headers: { host: 'localhost', origin } });
      if (verdict.kind === 'reject') {
        expect(verdict.response.status).toBeGreaterThanOrEqual(400);
        expect(verdict.response.headers['x-content-type-options']).toBe('nosniff');
      }
    },
  );
});
