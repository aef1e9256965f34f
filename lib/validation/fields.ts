import { z } from 'zod';

/**
 * Field schemas shared by the API, the dashboard forms and the OpenAPI document.
 * Context.IO clients send flags as 0/1, "0"/"1" or true/false, and Python sends
 * empty strings for unset fields, so "" means "not given" throughout.
 */

const blankToUndefined = (value: unknown) => (value === '' || value === null ? undefined : value);

/**
 * C0/C1 control characters (NUL, BEL, tab, newline, DEL, …) and unpaired UTF-16
 * surrogates. PostgreSQL cannot store NUL in text or JSON, nor encode a lone
 * surrogate as UTF-8; no field of ours is multi-line, so tab and newline go too.
 */
const UNSTORABLE_CHARACTER = /[\p{Cc}\p{Cs}]/u;

/** Whether a string may be stored and queried as PostgreSQL text. */
export function isStorableText(value: string): boolean {
  return !UNSTORABLE_CHARACTER.test(value);
}

/** The API's words for unstorable text (after "invalid parameter <name>: "). */
export const UNSTORABLE_TEXT_MESSAGE =
  'control characters (such as NUL, tab or newline) and unpaired UTF-16 surrogates are not allowed';

/** The first name (in the given order) whose string value is not storable text, or null. */
export function findUnstorableField(values: Record<string, unknown>): string | null {
  for (const [name, value] of Object.entries(values)) {
    if (!isStorableText(name)) return name;
    if (typeof value === 'string' && !isStorableText(value)) return name;
  }
  return null;
}

/**
 * A string that refuses unstorable characters before anything else (before
 * trim, so a trailing newline is refused rather than silently dropped).
 * `message` speaks to whoever fills the field: the API's words by default.
 */
export const storableString = (options: { error?: string; message?: string } = {}) =>
  z
    .string(options.error ? { error: options.error } : undefined)
    .refine(isStorableText, { error: options.message ?? UNSTORABLE_TEXT_MESSAGE, abort: true });

/** The longest address SMTP can carry (RFC 5321: a 256-octet path less its angle brackets). */
export const MAX_EMAIL_LENGTH = 254;

/**
 * zod's address check: no quoted local parts, and a domain with a letter TLD, so
 * `a@127.0.0.1` or `a@[10.0.0.1]` never turns into a request to an IP address.
 */
const addressFormat = z.email();

/** Whether a string is one full email address, as every email field here accepts it. */
export function isEmailAddress(value: string): boolean {
  return addressFormat.safeParse(value).success;
}

/** Whether a string is only `@domain`, which Context.IO accepts on connect tokens to ask for the local part. */
export function isEmailDomain(value: string): boolean {
  return value.startsWith('@') && isEmailAddress(`x${value}`);
}

/** An email field's messages, in the words of whoever fills it (the API's, a developer's, an end user's). */
interface EmailMessages {
  /** Not an address (and, unless `required` is given, empty or not text). */
  invalid: string;
  /** Empty after trimming, or not text. */
  required?: string;
  /** Over MAX_EMAIL_LENGTH characters. */
  tooLong?: string;
  /** Unstorable characters (see storableString); the API's words by default. */
  controlCharacters?: string;
}

/**
 * The one email field: storable text, trimmed, at most 254 characters, one full
 * address, or with `allowDomain` also `@domain`. The case is kept unless
 * `lowerCase` (addresses that are keys: sign-in, tokens, connected mailboxes);
 * discovery keeps it because a local part can be case-sensitive on the server.
 */
export const emailAddress = ({
  messages,
  allowDomain = false,
  lowerCase = false,
}: {
  messages: EmailMessages;
  allowDomain?: boolean;
  lowerCase?: boolean;
}) => {
  const required = messages.required ?? messages.invalid;
  const trimmed = storableString({ error: required, message: messages.controlCharacters }).trim();
  return (lowerCase ? trimmed.toLowerCase() : trimmed)
    .min(1, { error: required, abort: true })
    .max(MAX_EMAIL_LENGTH, {
      error: messages.tooLong ?? `expected at most ${MAX_EMAIL_LENGTH} characters`,
      abort: true,
    })
    .refine((value) => isEmailAddress(value) || (allowDomain && isEmailDomain(value)), messages.invalid);
};

/** 0/1 in any of the spellings the old clients use; output as a boolean. */
export const flag = z
  .preprocess((value) => {
    const given = blankToUndefined(value);
    if (given === undefined) return undefined;
    if (given === true || given === 1 || given === '1' || given === 'true') return true;
    if (given === false || given === 0 || given === '0' || given === 'false') return false;
    return given;
  }, z.boolean({ error: 'expected 0 or 1' }).optional())
  // On the wire a flag is 0 or 1 (also "0"/"1" or true/false); the OpenAPI document says so.
  .meta({ type: 'integer', enum: [0, 1] } as Record<string, unknown>);

/** Free text with a length limit; "" counts as not given. */
export const optionalText = (maxLength: number) =>
  z.preprocess(
    blankToUndefined,
    storableString({ error: 'expected a string' })
      .trim()
      .max(maxLength, `expected at most ${maxLength} characters`)
      .optional(),
  );

/** Schemes that would run code in the end user's browser or read local data. */
const FORBIDDEN_SCHEMES = new Set(['javascript', 'data', 'vbscript', 'file', 'blob', 'about', 'filesystem']);
const MAX_URL_LENGTH = 2048;

function parseAbsoluteUrl(value: string): URL | null {
  if (value.length > MAX_URL_LENGTH || /\s/.test(value)) return null;
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** An absolute http(s) URL with a host: where Mailport's servers POST callbacks. */
export const httpUrl = storableString({ error: 'expected an absolute http or https URL' })
  .trim()
  .refine((value) => {
    const url = parseAbsoluteUrl(value);
    return !!url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  }, 'expected an absolute http or https URL');

/**
 * Where the end user's browser returns: http(s), or a custom scheme such as
 * `myapp://connected` as mobile apps used, but never one that runs code.
 */
export const browserCallbackUrl = storableString({ error: 'expected an absolute URL' })
  .trim()
  .refine((value) => {
    const url = parseAbsoluteUrl(value);
    if (!url) return false;
    const scheme = url.protocol.slice(0, -1).toLowerCase();
    if (FORBIDDEN_SCHEMES.has(scheme)) return false;
    if (scheme === 'http' || scheme === 'https') return url.hostname !== '';
    return /^[a-z][a-z0-9+.-]*$/.test(scheme);
  }, 'expected an absolute http or https URL, or an app URL such as myapp://callback (javascript:, data: and file: are refused)');

export const optionalHttpUrl = z.preprocess(blankToUndefined, httpUrl.optional());

/** Zero-based offset and a bounded limit, as in Context.IO's list endpoints. */
export const pagination = (defaultLimit: number, maxLimit: number) => ({
  limit: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: `expected a number between 1 and ${maxLimit}` })
      .int(`expected a whole number between 1 and ${maxLimit}`)
      .min(1, `expected a number between 1 and ${maxLimit}`)
      .max(maxLimit, `expected a number between 1 and ${maxLimit}`)
      .default(defaultLimit),
  ),
  offset: z.preprocess(
    blankToUndefined,
    z.coerce
      .number({ error: 'expected a whole number of at least 0' })
      .int('expected a whole number of at least 0')
      .min(0, 'expected a whole number of at least 0')
      .default(0),
  ),
});
