import { isEmailAddress } from '@/lib/validation/fields';

/**
 * Identity pinning (issue 15): a re-connect token is for its source's own
 * mailbox, and a token created with a full `email` for that address only; an
 * `@domain` email pins nothing but the domain (the form asks only the local
 * part). Pure, so the actions, the sign-in and the tests share one rule.
 */

export interface PinnedRow {
  /** The token's email: full, `@domain`, or empty. */
  email: string;
  targetSource: { email: string; username: string } | null;
}

/** The one address this token accepts, or null when any (of the domain) will do. */
export function pinnedAddress(row: PinnedRow): string | null {
  if (row.targetSource) return row.targetSource.email.toLowerCase();
  return isEmailAddress(row.email) ? row.email.toLowerCase() : null;
}

/** Whether the mailbox address the end user gives is one this token accepts. */
export function isAcceptedEmail(row: PinnedRow, email: string): boolean {
  const address = email.toLowerCase();
  const pin = pinnedAddress(row);
  if (pin) return address === pin;
  return row.email.startsWith('@') ? address.endsWith(row.email.toLowerCase()) : true;
}

/**
 * Whether an IMAP username signs in as the pinned mailbox: the address itself,
 * its local part (servers that log in with `jane`), or the re-connected
 * source's stored username. Another address as the username is refused before
 * any password is sent, so a pinned link cannot attach a different mailbox.
 */
export function isAcceptedLogin(row: PinnedRow, username: string): boolean {
  const pin = pinnedAddress(row);
  if (!pin) return true;
  const login = username.trim().toLowerCase();
  if (login === pin || login === pin.slice(0, pin.lastIndexOf('@'))) return true;
  return !!row.targetSource && login === row.targetSource.username.toLowerCase();
}
