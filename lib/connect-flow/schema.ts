import { z } from 'zod';
import { TLS_MODES } from '@/lib/sources/schema';
import { emailAddress, MAX_EMAIL_LENGTH, storableString } from '@/lib/validation/fields';

/**
 * Inputs of the hosted connect pages (end users). The same schemas validate the
 * forms on the server; the forms carry matching HTML constraints for the browser.
 */

/** Refused before they reach the database (PostgreSQL cannot store NUL), in the end user's words. */
const CONTROL_CHARACTERS = 'Remove the control characters (such as tabs or line breaks) from this field.';
const text = () => storableString({ message: CONTROL_CHARACTERS });
const trimmed = (max: number) => text().trim().max(max, `Use at most ${max} characters.`);

export const identityInput = z.object({
  email: emailAddress({
    messages: {
      invalid: 'Enter an email address like jane@example.com.',
      tooLong: `Use at most ${MAX_EMAIL_LENGTH} characters.`,
      controlCharacters: CONTROL_CHARACTERS,
    },
    lowerCase: true,
  }),
  firstName: trimmed(100).optional(),
  lastName: trimmed(100).optional(),
});
export type IdentityInput = z.infer<typeof identityInput>;

export const signInInput = z.object({
  password: text().min(1, 'Enter your password.').max(1000),
  server: text()
    .trim()
    .toLowerCase()
    .min(1, 'Enter the IMAP server name.')
    .max(253)
    .regex(/^[a-z0-9.-]+$|^\[?[0-9a-f:.]+\]?$/, 'Enter a server name like imap.example.com.'),
  port: z.coerce
    .number<string>({ error: 'Enter a port number.' })
    .int('Enter a whole port number.')
    .min(1, 'Enter a port between 1 and 65535.')
    .max(65535, 'Enter a port between 1 and 65535.'),
  tlsMode: z.enum(TLS_MODES, { error: 'Choose how to secure the connection.' }),
  username: text().trim().min(1, 'Enter the username for this mailbox.').max(320),
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
 * the type checker holds them to this list; components/connect/messages.ts must
 * word each one (a `satisfies Record<FlowErrorCode, …>` table).
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
] as const;
export type FlowErrorCode = (typeof FLOW_ERROR_CODES)[number];

/**
 * The last problem to show the end user, stored in `connect_flows.error` (JSON):
 * a failure code, or a field of a step's form with the schema's own message.
 * Never a secret: no input value is stored, only which field was wrong.
 */
export const flowError = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('code'), code: z.enum(FLOW_ERROR_CODES) }),
  z.object({ kind: z.literal('field'), field: z.enum(FLOW_FIELDS), message: z.string().max(300) }),
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
  return { kind: 'field', field, message: issue?.message.slice(0, 300) || 'Check this field.' };
}

/* Sign-in attempt limits (per token, mailbox and client address): lib/rate-limits/schema.ts. */

/**
 * Outbound requests settings discovery may make for one token (each MX query,
 * each autoconfig request and redirect hop). A discovery costs 3 when nothing
 * redirects and at most 7, so an end user can retype their address a few
 * times; then the flow offers the guess without network.
 */
export const MAX_DISCOVERY_PROBES = 20;
