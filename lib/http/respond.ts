import { Readable } from 'node:stream';
import { describeUnavailability, isDatabaseUnavailableError } from '@/lib/db/availability';
import { API_ERROR_STATUS, ApiError } from './errors';

/**
 * PHP and Ruby clients compare Content-Type byte for byte, so it is exactly
 * `application/json`, never with a charset.
 */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

/** What a streaming handler answers: bytes read as the client takes them, never buffered whole. */
export interface StreamBody {
  stream: Readable;
  contentType: string;
  /** Sent as Content-Disposition's file name (RFC 6266: an ASCII fallback and the UTF-8 name). */
  fileName?: string;
  /** Content-Length, only when known exactly. */
  length?: number;
}

/**
 * `signal` is the request's: aborted when its client has gone. Next.js neither reads nor cancels the
 * body of a response whose client went away before the handler answered (pipeToNodeResponse returns
 * early), so the source would stay open for good, holding what it holds (a pooled IMAP connection).
 */
export function streamResponse(body: StreamBody, status = 200, signal?: AbortSignal): Response {
  const headers: Record<string, string> = {
    'content-type': body.contentType,
    // The partner renders or sanitises content; a browser opening the URL must not sniff it into HTML.
    'x-content-type-options': 'nosniff',
  };
  if (body.fileName !== undefined) headers['content-disposition'] = contentDisposition(body.fileName);
  if (body.length !== undefined) headers['content-length'] = String(body.length);
  if (signal?.aborted) {
    body.stream.destroy();
    return new Response(null, { status, headers });
  }
  signal?.addEventListener('abort', () => body.stream.destroy(), { once: true });
  // toWeb pulls from the Node stream as the client reads; a client that goes away mid-body cancels it, which destroys the source.
  return new Response(Readable.toWeb(body.stream) as ReadableStream<Uint8Array>, { status, headers });
}

/**
 * The official Node client reads the name as the text between the header's first and second `=`
 * (ContextIO-node call-service.js getFile), so a name that is plain ASCII goes alone; `filename*`
 * (RFC 6266) is added only when the ASCII fallback had to change the name.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_') || 'file';
  if (ascii === fileName) return `attachment; filename="${ascii}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName || 'file')}`;
}

export function errorBody(message: string) {
  return { type: 'error', value: message } as const;
}

/** Seconds a client should wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * Known errors keep their message; a database outage is a 503 the client may
 * retry (the pool reconnects by itself); anything else is logged with a request
 * id and answered generically.
 */
export function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof ApiError) return jsonResponse(errorBody(error.message), error.status, error.headers);
  if (isDatabaseUnavailableError(error)) {
    console.warn(`[${requestId}] database unavailable (${describeUnavailability(error)})`);
    return jsonResponse(
      errorBody(`the database is temporarily unavailable; try again in a few seconds (request id ${requestId})`),
      API_ERROR_STATUS.database_unavailable,
      { 'retry-after': String(DATABASE_RETRY_AFTER_SECONDS), 'x-request-id': requestId },
    );
  }
  console.error(`[${requestId}] unexpected error:`, error);
  return jsonResponse(errorBody(`internal error (request id ${requestId})`), 500, { 'x-request-id': requestId });
}
