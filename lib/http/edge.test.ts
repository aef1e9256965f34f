import { describe, expect, it } from 'vitest';
import { collapseSlashes, malformedRequestResponse, screenRequest, serializeResponse, surfaceOf } from './edge';

const get = (url: string, headers = {}) =>
  screenRequest({ method: 'GET', url, headers: { host: 'mp.test', ...headers } });
const post = (url: string, headers = {}) =>
  screenRequest({ method: 'POST', url, headers: { host: 'mp.test', ...headers } });

function rejected(verdict: ReturnType<typeof screenRequest>) {
  if (verdict.kind !== 'reject') throw new Error(`expected a rejection, got ${JSON.stringify(verdict)}`);
  return verdict.response;
}

describe('screenRequest', () => {
  it('hands ordinary requests on unchanged', () => {
    expect(get('/2.0/connect_tokens?x=1%20')).toEqual({
      kind: 'pass',
      url: '/2.0/connect_tokens?x=1%20',
      originalPath: '/2.0/connect_tokens',
    });
    expect(post('/connect/abc', { origin: 'http://mp.test' }).kind).toBe('pass');
  });

  it('serves repeated slashes collapsed and keeps the path as sent for the signature', () => {
    expect(post('/2.0//connect_tokens?a=//b')).toEqual({
      kind: 'pass',
      url: '/2.0/connect_tokens?a=//b',
      originalPath: '/2.0//connect_tokens',
    });
    expect(collapseSlashes('//2.0///x/')).toBe('/2.0/x/');
  });

  it('answers undecodable paths with a 400 in the API error format under /2.0', () => {
    const response = rejected(get('/2.0/connect_tokens/%ZZ'));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(response.body)).toEqual({
      type: 'error',
      value: 'malformed percent-encoding in the address: expected UTF-8',
    });
    expect(rejected(get('/2.0/x?q=%E0%A4%A')).status).toBe(400);
  });

  it('answers undecodable page paths with the HTML error page and our headers', () => {
    const response = rejected(get('/connect/abc%'));
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['x-frame-options']).toBe('DENY');
    expect(response.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(response.body).toContain('<h1>This address is not valid</h1>');
  });

  it('refuses methods no resource serves with a 501', () => {
    for (const method of ['TRACE', 'CONNECT', 'PROPFIND']) {
      const response = rejected(screenRequest({ method, url: '/2.0/connect_tokens', headers: {} }));
      expect(response.status).toBe(501);
      expect(JSON.parse(response.body)).toEqual({ type: 'error', value: `${method} is not supported by this server` });
    }
    expect(rejected(screenRequest({ method: 'TRACE', url: '/', headers: {} })).body).toContain('This method is');
  });

  it('refuses methods no page serves with a 405 page naming the ones it does', () => {
    for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const response = rejected(screenRequest({ method, url: '/dashboard', headers: {} }));
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET, HEAD, POST');
      expect(response.body).toContain('This method is not supported on this page');
    }
    // The API's resources say for themselves (a JSON 405 with their own Allow).
    expect(screenRequest({ method: 'PATCH', url: '/2.0/accounts', headers: {} }).kind).toBe('pass');
  });

  it('refuses a cross-origin form post to a page with a 403 page, and allows signed API posts from anywhere', () => {
    const response = rejected(post('/connect/abc', { origin: 'https://evil.example' }));
    expect(response.status).toBe(403);
    expect(response.body).toContain('sent from another site');
    expect(rejected(post('/dashboard/sign-out', { origin: 'null' })).status).toBe(403);
    // Behind a proxy Next.js compares with X-Forwarded-Host: so do we.
    expect(post('/connect/abc', { origin: 'https://mp.example', 'x-forwarded-host': 'mp.example' }).kind).toBe('pass');
    expect(post('/2.0/connect_tokens', { origin: 'https://evil.example' }).kind).toBe('pass');
    expect(post('/connect/abc').kind).toBe('pass');
    expect(get('/connect/abc', { origin: 'https://evil.example' }).kind).toBe('pass');
  });

  it('never echoes request text into the error page', () => {
    const response = rejected(post('/<script>%', { origin: 'https://evil.example' }));
    expect(response.body).not.toContain('<script>');
  });
});

describe('malformedRequestResponse', () => {
  it('turns an unknown method into a 501 in the format of the path it named', () => {
    const api = malformedRequestResponse('HPE_INVALID_METHOD', 'TRACK /2.0/accounts HTTP/1.1\r\nHost: x\r\n');
    expect(api.status).toBe(501);
    expect(JSON.parse(api.body)).toEqual({ type: 'error', value: 'TRACK is not supported by this server' });
    const page = malformedRequestResponse('HPE_INVALID_METHOD', 'FOO / HTTP/1.1\r\n');
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(serializeResponse(page)).toMatch(
      /^HTTP\/1\.1 501 Not Implemented\r\n[\s\S]*connection: close\r\n\r\n<!DOCTYPE html>/,
    );
    expect(malformedRequestResponse('HPE_HEADER_OVERFLOW', 'GET /2.0 HTTP/1.1').status).toBe(431);
  });

  it('tells the two surfaces apart', () => {
    expect(surfaceOf('/2.0')).toBe('api');
    expect(surfaceOf('//2.0/x')).toBe('api');
    expect(surfaceOf('/2.0x')).toBe('page');
    expect(surfaceOf('/connect/x')).toBe('page');
  });
});
