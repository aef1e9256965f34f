import {
  FIELD_MAX_LENGTH,
  type FlowError,
  type FlowErrorCode,
  type FlowField,
  PORT_RANGE,
} from '@/lib/connect-flow/schema';
import type { Translator } from '@/lib/i18n/messages';
import { RATE_LIMITS } from '@/lib/rate-limits/schema';

/**
 * Whether each failure code is about the server settings, so the page opens
 * "Advanced settings" beside it. Exhaustive: a code added to FLOW_ERROR_CODES
 * without an entry here does not compile; its wording is the catalogue key
 * `errors.<code>`, which the typed translator also checks at compile time.
 */
const CONCERNS_SETTINGS = {
  auth_failed: false,
  unknown_host: true,
  connection_refused: true,
  tls_failed: true,
  timeout: true,
  private_address: true,
  protocol_error: true,
  rate_limited: false,
  mailbox_rate_limited: false,
  address_rate_limited: false,
  mailbox_already_attached: true,
  expired: true,
  not_found: true,
  target_gone: true,
  missing_identity: true,
  csrf: true,
  identity_mismatch: false,
  oauth_denied: false,
  oauth_wrong_account: false,
  oauth_state_invalid: false,
  oauth_provider_error: false,
  oauth_provider_down: false,
  oauth_imap_refused: false,
  oauth_unavailable: false,
} satisfies Record<FlowErrorCode, boolean>;

/** What a message may name: never an input value but the server tried, the app and the pinned address. */
export interface FlowErrorContext {
  server: string;
  appName: string;
  /** The address a pinned token accepts (identity_mismatch). */
  expected: string;
}

/** The message for a failure code, in the translator's language. */
export function signInErrorMessage(t: Translator, code: FlowErrorCode, context: FlowErrorContext): string {
  return t(`errors.${code}`, {
    ...context,
    minutes: RATE_LIMITS.connectToken.windowMs / 60_000,
  });
}

/** The numbers a field's problem may name (its length limit, the port range). */
function fieldLimits(field: FlowField): { min: number; max: number } {
  return field === 'port' || field === 'tlsMode' ? PORT_RANGE : { min: 1, max: FIELD_MAX_LENGTH[field] };
}

/** The message for any stored flow error: a code's wording, or the field's problem. */
export function flowErrorMessage(t: Translator, error: FlowError, context: FlowErrorContext): string {
  if (error.kind === 'code') return signInErrorMessage(t, error.code, context);
  return t(`fieldProblems.${error.problem}`, fieldLimits(error.field));
}

/** Whether the page should open "Advanced settings" to show the error beside the fields it concerns. */
export function signInErrorConcernsSettings(code: FlowErrorCode): boolean {
  return CONCERNS_SETTINGS[code];
}
