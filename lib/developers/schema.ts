import { z } from 'zod';
import { emailAddress, storableString } from '@/lib/validation/fields';

/** Input for creating a developer and an API key; shared by the CLI, the admin hook and the dashboard. */
export const createDeveloperKeyInput = z.object({
  email: emailAddress({ messages: { invalid: 'expected an email address' }, lowerCase: true }),
  appName: storableString({
    error: 'expected the app name end users will see',
    message: 'Remove the control characters (such as tabs or line breaks) from the app name.',
  })
    .trim()
    .min(1, 'expected the app name end users will see')
    .max(80, 'expected an app name of at most 80 characters'),
});

export type CreateDeveloperKeyInput = z.infer<typeof createDeveloperKeyInput>;

export interface DeveloperKeyCredentials {
  developerId: string;
  key: string;
  secret: string;
}

/** A callback URL prefix: an absolute URL (http(s) or an app scheme), compared on whole path segments. */
const callbackUrlPrefix = storableString({
  message: 'Remove the control characters (such as tabs) from the prefixes: one prefix per line.',
})
  .trim()
  .max(500, 'Use at most 500 characters per prefix.')
  .refine((value) => {
    try {
      const url = new URL(value);
      const scheme = url.protocol.slice(0, -1).toLowerCase();
      if (scheme === 'http' || scheme === 'https') return url.hostname !== '' && !url.search && !url.hash;
      return /^[a-z][a-z0-9+.-]*$/.test(scheme) && !['javascript', 'data', 'vbscript', 'file'].includes(scheme);
    } catch {
      return false;
    }
  }, 'Each prefix must be an absolute URL without a query, such as https://app.example.com/ or myapp://');

export const MAX_CALLBACK_URL_PREFIXES = 20;

/** Dashboard settings: the app name end users see, and where callbacks may go. */
export const updateDeveloperSettingsInput = z.object({
  appName: createDeveloperKeyInput.shape.appName,
  /** One prefix per line in the form; empty means "any callback URL". */
  callbackUrlPrefixes: z.preprocess(
    (value) =>
      typeof value === 'string'
        ? value
            .split(/\r?\n/)
            .map((line) => line.trim())
            .filter(Boolean)
        : value,
    z
      .array(callbackUrlPrefix)
      .max(MAX_CALLBACK_URL_PREFIXES, `Use at most ${MAX_CALLBACK_URL_PREFIXES} prefixes.`)
      .transform((prefixes) => [...new Set(prefixes)]),
  ),
});
export type UpdateDeveloperSettingsInput = z.output<typeof updateDeveloperSettingsInput>;

/**
 * Whether a URL starts with a prefix on a boundary: `https://app.example.com`
 * allows `https://app.example.com/done` but not `https://app.example.com.evil.net`.
 * Scheme and host compare case-insensitively, the path exactly.
 */
export function isAllowedByPrefix(url: string, prefix: string): boolean {
  const normalise = (value: string) => {
    const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(value);
    return match ? `${match[1]?.toLowerCase()}${match[2]?.toLowerCase()}${match[3]}` : value;
  };
  const candidate = normalise(url);
  const allowed = normalise(prefix);
  if (!candidate.startsWith(allowed)) return false;
  if (/[/?#]$/.test(allowed) || allowed.endsWith('://')) return true;
  const next = candidate.charAt(allowed.length);
  return next === '' || next === '/' || next === '?' || next === '#';
}

/** The first of the given callback URLs (by field name) that no prefix allows; null when all pass or none are set. */
export function findDisallowedCallbackUrl(
  prefixes: readonly string[],
  urls: Record<string, string | undefined>,
): string | null {
  if (prefixes.length === 0) return null;
  for (const [field, url] of Object.entries(urls)) {
    if (url && !prefixes.some((prefix) => isAllowedByPrefix(url, prefix))) return field;
  }
  return null;
}

/** The 400 message that names the rule, shared by the API and the dashboard. */
export const disallowedCallbackUrlMessage = (field: string, prefixes: readonly string[]) =>
  `${field} is not allowed: this app's settings only allow callback URLs starting with ${prefixes.join(', ')}`;
