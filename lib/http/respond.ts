import { ApiError } from './errors';

/**
 * PHP and Ruby clients compare Content-Type byte for byte, so it is exactly
 * `application/json`, never with a charset.
 */
export function jsonResponse(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

export function errorBody(message: string) {
  return { type: 'error', value: message } as const;
}

/** Known errors keep their message; anything else is logged with a request id and answered generically. */
export function errorResponse(error: unknown, requestId: string): Response {
  if (error instanceof ApiError) return jsonResponse(errorBody(error.message), error.status);
  console.error(`[${requestId}] unexpected error:`, error);
  return jsonResponse(errorBody(`internal error (request id ${requestId})`), 500, { 'x-request-id': requestId });
}
