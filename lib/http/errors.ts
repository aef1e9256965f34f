/**
 * The one table from error codes to HTTP statuses. Every /2.0 error body is
 * Context.IO's `{"type":"error","value":"…"}`; nothing else maps errors.
 */

export const API_ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unprocessable: 422,
  too_many_requests: 429,
  imap_unavailable: 503,
  database_unavailable: 503,
  internal: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERROR_STATUS;

/** An expected failure whose message is safe to show the API client. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    /** Sent with the error (`Retry-After` on a 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get status(): number {
    return API_ERROR_STATUS[this.code];
  }
}

export const unauthorized = (message: string) => new ApiError('unauthorized', message);
