import { z } from 'zod';
import { TLS_MODES } from '@/lib/sources/schema';
import { storableString } from '@/lib/validation/fields';

/**
 * Inputs of the hosted connect pages (end users). The same schemas validate the
 * forms on the server; the forms carry matching HTML constraints for the browser.
 */

/** Refused before they reach the database (PostgreSQL cannot store NUL), in the end user's words. */
const text = () =>
  storableString({ message: 'Remove the control characters (such as tabs or line breaks) from this field.' });
const trimmed = (max: number) => text().trim().max(max, `Use at most ${max} characters.`);

export const identityInput = z.object({
  email: text()
    .trim()
    .toLowerCase()
    .pipe(z.email({ error: 'Enter an email address like jane@example.com.' })),
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

/* Sign-in attempt limits (per token, mailbox and client address): lib/rate-limits/schema.ts. */

/**
 * Outbound requests settings discovery may make for one token (each MX query,
 * each autoconfig request and redirect hop). A discovery costs 3 when nothing
 * redirects and at most 7, so an end user can retype their address a few
 * times; then the flow offers the guess without network.
 */
export const MAX_DISCOVERY_PROBES = 20;
