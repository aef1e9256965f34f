import { z } from 'zod';
import { TLS_MODES } from '@/lib/sources/schema';
import { emailAddress, MAX_EMAIL_LENGTH, storableString } from '@/lib/validation/fields';

/**
 * Inputs of the hosted connect pages (end users). The same schemas validate the
 * forms on the server; the forms carry matching HTML constraints for the browser.
 */

/**
 * A form field's problem, as a code: the pages word it in the end user's
 * language (fieldProblems.* in lib/i18n/messages). The schemas below use these
 * codes as their zod messages, so a parse failure names a code, never English.
 */
export const FIELD_PROBLEMS = [
  'control_characters',
  'too_long',
  'invalid_email',
  'password_required',
  'server_required',
  'server_invalid',
  'port_required',
  'port_whole',
  'port_range',
  'tls_required',
  'username_required',
  'check_field',
] as const satisfies readonly string[];
export type FieldProblem = (typeof FIELD_PROBLEMS)[number];

/** The limits a problem's wording names (`too_long` of a name is 100), so the schema and the page share them. */
export const FIELD_MAX_LENGTH = {
  email: MAX_EMAIL_LENGTH,
  firstName: 100,
  lastName: 100,
  password: 1000,
  server: 253,
  username: 320,
} as const;
export const PORT_RANGE = { min: 1, max: 65535 } as const;

/** Refused before they reach the database (PostgreSQL cannot store NUL). */
const text = () => storableString({ message: 'control_characters' satisfies FieldProblem });
const trimmed = (max: number) =>
  text()
    .trim()
    .max(max, 'too_long' satisfies FieldProblem);
const problem = (code: FieldProblem) => code;

export const identityInput = z.object({
  email: emailAddress({
    messages: {
      invalid: problem('invalid_email'),
      tooLong: problem('too_long'),
      controlCharacters: problem('control_characters'),
    },
    lowerCase: true,
  }),
  firstName: trimmed(FIELD_MAX_LENGTH.firstName).optional(),
  lastName: trimmed(FIELD_MAX_LENGTH.lastName).optional(),
});
export type IdentityInput = z.infer<typeof identityInput>;

export const signInInput = z.object({
  password: text().min(1, problem('password_required')).max(FIELD_MAX_LENGTH.password, problem('too_long')),
  server: text()
    .trim()
    .toLowerCase()
    .min(1, problem('server_required'))
    .max(FIELD_MAX_LENGTH.server, problem('too_long'))
    .regex(/^[a-z0-9.-]+$|^\[?[0-9a-f:.]+\]?$/, problem('server_invalid')),
  port: z.coerce
    .number<string>({ error: problem('port_required') })
    .int(problem('port_whole'))
    .min(PORT_RANGE.min, problem('port_range'))
    .max(PORT_RANGE.max, problem('port_range')),
  tlsMode: z.enum(TLS_MODES, { error: problem('tls_required') }),
  username: text().trim().min(1, problem('username_required')).max(FIELD_MAX_LENGTH.username, problem('too_long')),
});
export type SignInInput = z.infer<typeof signInInput>;

/** The field names a form error can point at: the inputs of the two steps. */
export const FLOW_FIELDS = [
  'email',
  'firstName',
  'lastName',
  'password',
  'server',
  'port',
  'tlsMode',
  'username',
] as const;
export type FlowField = (typeof FLOW_FIELDS)[number];

/**
 * Every failure the flow can show, as a code. The sign-in maps an IMAP failure
 * (lib/imap/verify.ts), a guessing limit and a redeem reason to one of these, and
 * the type checker holds them to this list; each one is a catalogue key
 * (`errors.<code>` in lib/i18n/messages), which components/connect/messages.ts
 * looks up with a typed template key, so a code without a message does not compile.
 */
export const FLOW_ERROR_CODES = [
  // A live IMAP login (ImapFailure).
  'auth_failed',
  'unknown_host',
  'connection_refused',
  'tls_failed',
  'timeout',
  'private_address',
  'protocol_error',
  // A guessing limit (lib/rate-limits).
  'rate_limited',
  'mailbox_rate_limited',
  'address_rate_limited',
  // Using the token (redeemConnectToken), other than "already used", which shows the used page.
  'mailbox_already_attached',
  'expired',
  'not_found',
  'target_gone',
  // The flow itself.
  'missing_identity',
  'csrf',
  // The OAuth2 sign-in (lib/connect-flow/oauth.ts); each has its own page.
  'oauth_denied',
  'oauth_wrong_account',
  'oauth_state_invalid',
  'oauth_provider_error',
  'oauth_provider_down',
  'oauth_imap_refused',
  'oauth_unavailable',
  // Identity pinning: the token is for one address (a re-connect, or `email` given in full).
  'identity_mismatch',
] as const;
export type FlowErrorCode = (typeof FLOW_ERROR_CODES)[number];

/**
 * The last problem to show the end user, stored in `connect_flows.error` (JSON):
 * a failure code, or a field of a step's form with its problem code (worded by
 * the page in the end user's language). Never a secret: no input value is
 * stored, only which field was wrong. A field error stored before the pages
 * spoke several languages (`message`) reads as no error: it shows again on the next submit.
 */
export const flowError = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('code'), code: z.enum(FLOW_ERROR_CODES) }),
  z.object({ kind: z.literal('field'), field: z.enum(FLOW_FIELDS), problem: z.enum(FIELD_PROBLEMS) }),
]);
export type FlowError = z.infer<typeof flowError>;

/** A stored error as the pages may show it; anything the union does not know reads as no error. */
export function readFlowError(stored: unknown): FlowError | null {
  const parsed = flowError.safeParse(stored);
  return parsed.success ? parsed.data : null;
}

/** The first problem of a failed form parse, as a field error (the step's inputs only). */
export function fieldErrorOf(issues: readonly z.core.$ZodIssue[], fallback: FlowField): FlowError {
  const issue = issues[0];
  const field = FLOW_FIELDS.find((name) => name === issue?.path[0]) ?? fallback;
  const problem = FIELD_PROBLEMS.find((code) => code === issue?.message) ?? 'check_field';
  return { kind: 'field', field, problem };
}

/* Sign-in attempt limits (per token, mailbox and client address): lib/rate-limits/schema.ts. */

/**
 * Outbound requests settings discovery may make for one token (each MX query,
 * each autoconfig request and redirect hop). A discovery costs 3 when nothing
 * redirects and at most 7, so an end user can retype their address a few
 * times; then the flow offers the guess without network.
 */
export const MAX_DISCOVERY_PROBES = 20;
