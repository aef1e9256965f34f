import { describe, expect, it } from 'vitest';
import { ApiError } from './errors';
import { hasMalformedPercentEncoding, parseRequest } from './request';

const post = (body: BodyInit, contentType: string, query = '') =>
  new Request(`http://localhost/2.0/connect_tokens${query}`, {
    method: 'POST',
    body,
    headers: { 'content-type': contentType },
  });

async function refusal(request: Request): Promise<string> {
  const error = await parseRequest(request).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ApiError);
  expect((error as ApiError).status).toBe(400);
  return (error as ApiError).message;
}

describe('parseRequest refuses text PostgreSQL cannot store', () => {
  it('in form, JSON and multipart bodies and the query string, naming the parameter', async () => {
    expect(await refusal(post('first_name=a%00b', 'application/x-www-form-urlencoded'))).toMatch(
      /^invalid parameter first_name: control characters/,
    );
    expect(await refusal(post('{"last_name":"\\u0000"}', 'application/json'))).toMatch(/^invalid parameter last_name/);
    expect(await refusal(post('{"last_name":"\\ud800"}', 'application/json'))).toMatch(/^invalid parameter last_name/);
    const form = new FormData();
    form.append('email', 'a\u0007@example.com');
    expect(await refusal(new Request('http://localhost/2.0/connect_tokens', { method: 'POST', body: form }))).toMatch(
      /^invalid parameter email/,
    );
    expect(await refusal(new Request('http://localhost/2.0/accounts?email=x%09y'))).toMatch(/^invalid parameter email/);
    expect(await refusal(new Request('http://localhost/2.0/accounts?a%00=1'))).toBe(
      'invalid parameter a\uFFFD: control characters (such as NUL, tab or newline) and unpaired UTF-16 surrogates are not allowed',
    );
  });

  it('refuses bytes that are not UTF-8 instead of storing U+FFFD', async () => {
    expect(await refusal(post('first_name=a%ED%A0%80', 'application/x-www-form-urlencoded'))).toBe(
      'malformed percent-encoding in the request body: expected UTF-8',
    );
    expect(
      await refusal(post(new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), 'application/json')),
    ).toBe('the request body is not valid UTF-8');
    expect(hasMalformedPercentEncoding('/2.0/accounts/a%ED%A0%80b/sources')).toBe(true);
    expect(hasMalformedPercentEncoding('/2.0/accounts?email=%C3%A9&x=%2F')).toBe(false);
  });

  it('still accepts ordinary text', async () => {
    const parsed = await parseRequest(
      post('first_name=Zo%C3%AB&last_name=%F0%9F%98%80', 'application/x-www-form-urlencoded'),
    );
    expect(parsed.input).toEqual({ first_name: 'Zoë', last_name: '😀' });
  });
});
