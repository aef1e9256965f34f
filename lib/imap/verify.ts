import { isIP } from 'node:net';
import { ImapFlow, type ImapFlowError, ImapFlowErrorCode, type ImapFlowOptions } from 'imapflow';
import { checkHostAllowed } from '@/lib/network/guard';
import type { TlsMode } from '@/lib/sources/schema';

/** Proves mailbox credentials by logging in to the real IMAP server, then logs out. */

export type { TlsMode };

/** Where a mailbox is and how to log in: a password (LOGIN/PLAIN) or an OAuth2 access token (XOAUTH2). */
export type ImapLogin = {
  server: string;
  port: number;
  tlsMode: TlsMode;
  username: string;
} & ({ password: string; accessToken?: undefined } | { accessToken: string; password?: undefined });

export type ImapFailure =
  | 'auth_failed'
  | 'unknown_host'
  | 'connection_refused'
  | 'tls_failed'
  | 'timeout'
  | 'private_address'
  | 'protocol_error';

export type ImapCheckResult = { ok: true } | { ok: false; failure: ImapFailure; message: string };

// Shown to end users: plain language, built from the server name and port only (never the password).
const MESSAGES: Record<ImapFailure, (login: ImapLogin) => string> = {
  auth_failed: (login) =>
    login.accessToken !== undefined
      ? 'The mail server did not accept the sign-in for this mailbox.'
      : 'The mail server did not accept this username and password.',
  unknown_host: ({ server }) => `We could not find a mail server called ${server}. Check the server name.`,
  connection_refused: ({ server, port }) =>
    `We could not connect to ${server} on port ${port}. Check the server name and port.`,
  tls_failed: ({ server }) =>
    `We could not set up a secure connection to ${server}. Check the port and security setting.`,
  timeout: ({ server }) =>
    `${server} did not answer in time. Check the server name, port and security setting, then try again.`,
  private_address: ({ server }) => `${server} points to a private or local network address, which is not allowed.`,
  protocol_error: ({ server, port }) =>
    `${server} did not answer like an IMAP mail server on port ${port}. Check the port and security setting.`,
};

const fail = (failure: ImapFailure, login: ImapLogin): ImapCheckResult => ({
  ok: false,
  failure,
  message: MESSAGES[failure](login),
});

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);
const TIMEOUT_CODES = new Set<string>([
  ImapFlowErrorCode.CONNECT_TIMEOUT,
  ImapFlowErrorCode.GREETING_TIMEOUT,
  ImapFlowErrorCode.UPGRADE_TIMEOUT,
  ImapFlowErrorCode.ETIMEOUT,
  'ETIMEDOUT',
]);
// OpenSSL certificate verification results, as Node reports them in `code`.
const CERTIFICATE_CODES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
]);

/** What the caller knows about the attempt beyond the error itself. */
export interface AttemptContext {
  /** The socket was TLS from the start, where a garbled handshake surfaces as a plain socket error. */
  secure: boolean;
  /** The server announced LOGINDISABLED: it refuses passwords on an unencrypted connection. */
  loginDisabled: boolean;
}

/**
 * Maps what imapflow and Node report to the few outcomes an end user can act on.
 * Decides on imapflow's flags and Node's codes only, never on message text.
 */
export function classifyImapError(error: unknown, context: AttemptContext): ImapFailure {
  const details = (typeof error === 'object' && error !== null ? error : {}) as ImapFlowError;
  const code = details.code ?? '';
  if (details.tlsFailed) return 'tls_failed';
  // imapflow reports LOGINDISABLED as an authentication failure, but no password would have worked.
  if (details.authenticationFailed) return context.loginDisabled && !context.secure ? 'tls_failed' : 'auth_failed';
  if (TIMEOUT_CODES.has(code)) return 'timeout';
  if (DNS_CODES.has(code)) return 'unknown_host';
  if (CONNECT_CODES.has(code)) return 'connection_refused';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || CERTIFICATE_CODES.has(code)) return 'tls_failed';
  if (context.secure && (code === 'EPROTO' || code === 'ECONNRESET')) return 'tls_failed';
  return 'protocol_error';
}

/**
 * ImapFlow settings for a checked address: connect to the address (no second
 * DNS answer), keep the name for SNI and certificate checks. SNI must not carry an IP literal.
 */
export function imapFlowOptions(login: ImapLogin, address: string, timeoutMs: number): ImapFlowOptions {
  const hostname = login.server.trim().replace(/^\[(.*)\]$/, '$1');
  const servername = isIP(hostname) ? undefined : hostname;
  return {
    host: address,
    port: login.port,
    secure: login.tlsMode === 'TLS',
    // undefined would mean "upgrade if offered": STARTTLS must be required, NONE must stay plain.
    doSTARTTLS: login.tlsMode === 'STARTTLS',
    ...(servername ? { servername } : {}),
    tls: { rejectUnauthorized: true, ...(servername ? { servername } : {}) },
    // imapflow picks XOAUTH2 or OAUTHBEARER for an access token, whichever the server offers.
    auth:
      login.accessToken !== undefined
        ? { user: login.username, accessToken: login.accessToken }
        : { user: login.username, pass: login.password },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  };
}

export async function verifyImapLogin(
  login: ImapLogin,
  options: { allowPrivateHosts: boolean; timeoutMs?: number },
): Promise<ImapCheckResult> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  const hostCheck = await checkHostAllowed(login.server, options.allowPrivateHosts, { timeoutMs });
  if (!hostCheck.ok) return fail(hostCheck.failure, login);
  const remaining = deadline - Date.now();
  if (remaining <= 0) return fail('timeout', login);

  const secure = login.tlsMode === 'TLS';
  const client = new ImapFlow({ ...imapFlowOptions(login, hostCheck.address, remaining), verifyOnly: true });
  // Failures arrive through connect()'s rejection; an unheard 'error' event would crash the process.
  client.on('error', () => {});

  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<ImapCheckResult>((resolve) => {
    timer = setTimeout(() => resolve(fail('timeout', login)), remaining);
  });
  const attempt = client.connect().then(
    (): ImapCheckResult => ({ ok: true }),
    (error: unknown): ImapCheckResult =>
      fail(classifyImapError(error, { secure, loginDisabled: client.capabilities.has('LOGINDISABLED') }), login),
  );
  try {
    return await Promise.race([attempt, expired]);
  } finally {
    clearTimeout(timer);
    // verifyOnly already sent LOGOUT after a successful login; close() drops whatever is left.
    client.close();
  }
}
