/**
 * The one place that decides whether an error means "the database is not
 * reachable right now" (it will recover by itself: answer 503, try again) as
 * opposed to a bug or bad data (500). Errors reach us from Prisma (with a code
 * and the driver adapter's mapped cause), straight from pg, or from PGlite.
 */

/** Prisma: can't reach server, timed out, server closed the connection, pool timeout. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);

/** Prisma driver adapter kinds (from @prisma/driver-adapter-utils) that mean the connection, not the query, failed. */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);

/** Socket errors from Node, as pg passes them on. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EAI_AGAIN',
]);

/**
 * SQLSTATE: class 08 (connection exception), 57P01-57P03 (server shutting down,
 * crashed, not accepting connections yet), class 53 (insufficient resources: a
 * full disk 53100, out of memory, too many connections) and 58030 (I/O error).
 * A full disk is no bug and no bad input: writes fail until space is freed, then
 * work again without a restart (tested on PGlite), so the client is told to retry.
 */
const isUnavailableSqlState = (code: string) =>
  /^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || /^53[0-9A-Z]{3}$/.test(code) || code === '58030';

/**
 * pg and PGlite raise these without any code, so their fixed messages are the
 * only signal (pg's Client/Pool and PGlite's close()).
 */
const CODELESS_MESSAGES = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^timeout exceeded when trying to connect$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^PGlite is closed$/,
];

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  kind?: unknown;
  originalCode?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: { cause?: unknown } };
}

export function isDatabaseUnavailableError(error: unknown): boolean {
  return matches(error, 0);
}

function matches(error: unknown, depth: number): boolean {
  if (!error || typeof error !== 'object' || depth > 4) return false;
  const value = error as ErrorLike;
  const code = typeof value.code === 'string' ? value.code : undefined;
  if (code && (PRISMA_CODES.has(code) || SOCKET_CODES.has(code) || isUnavailableSqlState(code))) return true;
  if (typeof value.originalCode === 'string' && isUnavailableSqlState(value.originalCode)) return true;
  if (typeof value.kind === 'string' && ADAPTER_KINDS.has(value.kind)) return true;
  if (!code && typeof value.message === 'string') {
    const message = value.message;
    if (CODELESS_MESSAGES.some((pattern) => pattern.test(message))) return true;
  }
  return matches(value.meta?.driverAdapterError?.cause, depth + 1) || matches(value.cause, depth + 1);
}

/** A short name for the log (never the message: it may carry a host or a query). */
export function describeUnavailability(error: unknown): string {
  const value = error as ErrorLike | null;
  const cause = value?.meta?.driverAdapterError?.cause as ErrorLike | undefined;
  const parts = [value?.code, cause?.kind, cause?.originalCode, (value?.cause as ErrorLike | undefined)?.code];
  const named = parts.filter((part): part is string => typeof part === 'string');
  return named.length > 0 ? named.join('/') : 'connection lost';
}
