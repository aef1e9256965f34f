import { findUnstorableField, UNSTORABLE_TEXT_MESSAGE } from '@/lib/validation/fields';
import { ApiError } from './errors';

/** Larger bodies are refused before they are buffered: no API call needs more. */
/** Our answer to an address whose percent-encoding is not UTF-8 (the edge and the proxy both refuse it). */
export const MALFORMED_ADDRESS_MESSAGE = 'malformed percent-encoding in the address: expected UTF-8';

export const MAX_BODY_BYTES = 64 * 1024;

export interface ParsedRequest {
  /** Raw urlencoded body, kept for the OAuth base string; null for other body types. */
  formBody: string | null;
  /** Query and body parameters merged (body wins); a repeated name keeps its first value. */
  input: Record<string, unknown>;
}

async function readBodyLimited(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) throw tooLarge();
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

const tooLarge = () => new ApiError('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);

/** Strict UTF-8: a lenient decoder would store U+FFFD where the client sent something else. */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ApiError('bad_request', 'the request body is not valid UTF-8');
  }
}

/**
 * Whether a path, query or form body has a percent-encoded byte sequence that
 * is not UTF-8 (or a stray %). URLSearchParams would turn it into U+FFFD and
 * Next.js's path decoding fails on it with a bare 500: refuse it instead.
 */
export function hasMalformedPercentEncoding(encoded: string): boolean {
  for (const part of encoded.split(/[&=/]/)) {
    if (!part.includes('%')) continue;
    try {
      decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      return true;
    }
  }
  return false;
}

function assertUtf8PercentEncoding(encoded: string, where: 'query string' | 'request body'): void {
  if (hasMalformedPercentEncoding(encoded)) {
    throw new ApiError('bad_request', `malformed percent-encoding in the ${where}: expected UTF-8`);
  }
}

/** Names are echoed in the error: show a control character as U+FFFD rather than send it back. */
const printable = (name: string) => name.replace(/[\p{Cc}\p{Cs}]/gu, '\uFFFD');

/** Every parameter, known to a route or not, is refused when PostgreSQL could not store it (issue 9, defect 5). */
export function assertStorableInput(values: Record<string, unknown>, kind: 'parameter' | 'path'): void {
  const name = findUnstorableField(values);
  if (name !== null)
    throw new ApiError('bad_request', `invalid ${kind} ${printable(name)}: ${UNSTORABLE_TEXT_MESSAGE}`);
}

function firstValues(entries: Iterable<[string, unknown]>, into: Record<string, unknown>): void {
  for (const [name, value] of entries) {
    if (!(name in into)) into[name] = value;
  }
}

/** Context.IO clients send urlencoded (most), multipart (PHP) and JSON bodies; all are accepted. */
export async function parseRequest(request: Request): Promise<ParsedRequest> {
  const url = new URL(request.url);
  const bodyInput: Record<string, unknown> = {};
  let formBody: string | null = null;

  if (request.method !== 'GET' && request.method !== 'HEAD') {
    const bytes = await readBodyLimited(request);
    const contentType = (request.headers.get('content-type') ?? '').toLowerCase();
    const mediaType = contentType.split(';')[0]?.trim() ?? '';
    if (bytes.byteLength > 0 || mediaType === 'application/x-www-form-urlencoded') {
      if (mediaType === 'application/x-www-form-urlencoded' || mediaType === '') {
        // Python's requests and Ruby's Faraday may omit the type on a form body: treat it as a form.
        formBody = decodeUtf8(bytes);
        assertUtf8PercentEncoding(formBody, 'request body');
        firstValues(new URLSearchParams(formBody), bodyInput);
      } else if (mediaType === 'multipart/form-data') {
        const form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': contentType } })
          .formData()
          .catch(() => {
            throw new ApiError('bad_request', 'malformed multipart/form-data body');
          });
        const fields: Array<[string, unknown]> = [];
        form.forEach((value, name) => {
          if (typeof value === 'string') fields.push([name, value]);
        });
        firstValues(fields, bodyInput);
      } else if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(decodeUtf8(bytes));
        } catch (error) {
          if (error instanceof ApiError) throw error;
          throw new ApiError('bad_request', 'malformed JSON body');
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw new ApiError('bad_request', 'expected a JSON object as the request body');
        }
        firstValues(Object.entries(parsed), bodyInput);
      } else {
        throw new ApiError(
          'unsupported_media_type',
          `unsupported Content-Type ${mediaType}: send application/x-www-form-urlencoded, multipart/form-data or application/json`,
        );
      }
    }
  }

  assertUtf8PercentEncoding(url.search.slice(1), 'query string');
  const input: Record<string, unknown> = { ...bodyInput };
  firstValues(url.searchParams, input);
  assertStorableInput(input, 'parameter');
  return { formBody, input };
}
