import type { FlowError, FlowErrorCode } from '@/lib/connect-flow/schema';
import { fillOAuthText, OAUTH_TEXT, type OAuthFailureCode } from './oauth-messages';

interface FlowErrorText {
  /** Plain language, built from the server name only (never an input value). */
  message: (server: string) => string;
  /** Whether the error is about the server settings, so the page opens "Advanced settings" beside them. */
  concernsSettings: boolean;
}

/**
 * Every failure code the flow stores, worded for the end user. Exhaustive: a
 * code added to FLOW_ERROR_CODES without a message here does not compile.
 */
const FLOW_ERROR_TEXT = {
  auth_failed: {
    message: () =>
      'The mail server did not accept this username and password. Check them and try again. Some providers need an app password instead of your usual password.',
    concernsSettings: false,
  },
  unknown_host: {
    message: (server) =>
      `We could not find a mail server called ${server}. Check the server name under “Advanced settings”.`,
    concernsSettings: true,
  },
  connection_refused: {
    message: (server) => `${server} refused the connection. Check the server name and port under “Advanced settings”.`,
    concernsSettings: true,
  },
  tls_failed: {
    message: (server) =>
      `We could not set up a secure connection to ${server}. Check the security setting and port under “Advanced settings”.`,
    concernsSettings: true,
  },
  timeout: {
    message: (server) =>
      `${server} did not answer in time. It may be down or the port may be wrong; try again in a moment.`,
    concernsSettings: true,
  },
  private_address: {
    message: (server) => `${server} points to a private or local network address, which is not allowed.`,
    concernsSettings: true,
  },
  protocol_error: {
    message: (server) => `${server} did not answer like an IMAP mail server. Check the server name and port.`,
    concernsSettings: true,
  },
  rate_limited: {
    message: () => 'Too many attempts to sign in. Wait 15 minutes before you try again.',
    concernsSettings: false,
  },
  mailbox_rate_limited: {
    message: () =>
      'There have been too many attempts to sign in to this mailbox, so we have paused them to keep it safe. Wait an hour, then try again.',
    concernsSettings: false,
  },
  address_rate_limited: {
    message: () => 'There have been too many attempts to sign in from your network. Wait an hour, then try again.',
    concernsSettings: false,
  },
  mailbox_already_attached: {
    message: () => 'This mailbox is already connected to this account. Use a different mailbox, or go back.',
    concernsSettings: true,
  },
  expired: {
    message: () => 'This connect link has expired. Go back to the app and start again.',
    concernsSettings: true,
  },
  not_found: {
    message: () => 'This connect link has expired. Go back to the app and start again.',
    concernsSettings: true,
  },
  target_gone: {
    message: () => 'The account or mailbox this link was for no longer exists. Go back to the app and start again.',
    concernsSettings: true,
  },
  missing_identity: { message: () => 'Tell us your email address first.', concernsSettings: true },
  csrf: { message: () => 'Your form expired. Please submit it again.', concernsSettings: true },
  // The OAuth2 failures have pages of their own (components/connect/oauth-failure.tsx); this is their summary.
  ...oauthSummaries(),
} satisfies Record<FlowErrorCode, FlowErrorText>;

function oauthSummaries(): Record<OAuthFailureCode, FlowErrorText> {
  const entries = Object.entries(OAUTH_TEXT.failures).map(([code, text]) => [
    code,
    { message: () => fillOAuthText(text.body, { provider: 'your provider', app: 'the app' }), concernsSettings: false },
  ]);
  return Object.fromEntries(entries) as Record<OAuthFailureCode, FlowErrorText>;
}

/** The message for a failure code; `server` is the IMAP server the end user tried. */
export function signInErrorMessage(code: FlowErrorCode, server: string): string {
  return FLOW_ERROR_TEXT[code].message(server);
}

/** The message for any stored flow error: a code's wording, or the field's own message. */
export function flowErrorMessage(error: FlowError, server: string): string {
  return error.kind === 'code' ? signInErrorMessage(error.code, server) : error.message;
}

/** Whether the page should open "Advanced settings" to show the error beside the fields it concerns. */
export function signInErrorConcernsSettings(code: FlowErrorCode): boolean {
  return FLOW_ERROR_TEXT[code].concernsSettings;
}
