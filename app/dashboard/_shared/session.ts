import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { currentTime } from '@/lib/clock';
import { hashOpaqueToken } from '@/lib/crypto/tokens';
import { type Db, getDb } from '@/lib/db/client';
import { getConfig } from '@/lib/env';
import { csrfTokenFor, isValidCsrfToken } from '@/lib/http/csrf';
import { findSignedInDeveloper, type SignedInDeveloper } from '@/lib/sessions/data';
import { createSession, endSession } from '@/lib/sessions/mutations';

/**
 * The dashboard's transport for sessions: the cookie, the redirect to sign-in,
 * and the session-bound CSRF token. Who may sign in lives in lib/sessions.
 * Sign-in, sessions and reset links use real time, never the movable test clock:
 * the operator command that makes reset links runs in another process.
 */

export const SESSION_COOKIE = 'mailport_session';

export interface DashboardContext extends SignedInDeveloper {
  db: Db;
  now: Date;
  /** Hidden field for every form of this signed-in page. */
  csrf: string;
}

const csrfScope = (sessionId: string) => `dashboard:${sessionId}`;

/** For the one plain route handler (sign-out): the CSRF check against the cookie's session. */
export function isValidCsrfForSessionCookie(cookieToken: string, given: unknown): boolean {
  return isValidCsrfToken(csrfScope(hashOpaqueToken(cookieToken)), given);
}

async function readSession(): Promise<{ db: Db; now: Date; developer: SignedInDeveloper | null; token: string }> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value ?? '';
  const db = await getDb();
  // Sessions run on real time, like OAuth timestamps; `now` is the domain's clock (token expiry).
  const developer = token ? await findSignedInDeveloper(db, token, new Date()) : null;
  return { db, now: currentTime(), token, developer };
}

/** Sends a signed-out browser to sign-in, coming back to `returnTo` afterwards. */
export async function requireDeveloper(returnTo: string): Promise<DashboardContext> {
  const { db, now, developer } = await readSession();
  if (!developer) redirect(signInPathFor(returnTo));
  return { ...developer, db, now, csrf: csrfTokenFor(csrfScope(developer.sessionId)) };
}

/** For the sign-in pages: someone already signed in goes straight to the dashboard. */
export async function redirectIfSignedIn(): Promise<void> {
  const { developer } = await readSession();
  if (developer) redirect('/dashboard');
}

export type ActionGuard = { ok: true; context: DashboardContext } | { ok: false; message: string };

/**
 * Every signed-in server action starts here: a session, and a CSRF token bound
 * to it (on top of Next.js's own Origin check for server actions).
 */
export async function guardAction(formData: FormData): Promise<ActionGuard> {
  const { db, now, developer } = await readSession();
  if (!developer) redirect('/dashboard/sign-in');
  if (!isValidCsrfToken(csrfScope(developer.sessionId), formData.get('csrf'))) {
    return { ok: false, message: 'This form has expired. Reload the page and try again.' };
  }
  return { ok: true, context: { ...developer, db, now, csrf: csrfTokenFor(csrfScope(developer.sessionId)) } };
}

export async function startSession(db: Db, developerId: string): Promise<void> {
  const session = await createSession(db, developerId, new Date());
  (await cookies()).set(SESSION_COOKIE, session.token, {
    httpOnly: true,
    // Secure whenever the public URL is https; plain-http local installs must still be able to sign in.
    secure: getConfig().publicUrl.startsWith('https:'),
    sameSite: 'lax',
    path: '/',
    expires: session.expiresAt,
  });
}

export async function finishSession(): Promise<void> {
  const jar = await cookies();
  const token = jar.get(SESSION_COOKIE)?.value;
  if (token) await endSession(await getDb(), token);
  jar.delete(SESSION_COOKIE);
}

/**
 * Longer than any path the dashboard links to (ids, a source label, a page number). A made-up path
 * may be kilobytes: carried along, it became a redirect header past what Node's HTTP clients (16 KB)
 * and proxies such as nginx (4–8 KB by default) accept.
 */
const MAX_RETURN_PATH_LENGTH = 1_024;

/** Only a dashboard path may follow sign-in, never another site (open redirect), and no overlong one. */
export function safeReturnPath(value: unknown): string {
  return typeof value === 'string' &&
    value.length <= MAX_RETURN_PATH_LENGTH &&
    /^\/dashboard(\/[\w\-/.%?=&]*)?$/.test(value) &&
    !value.includes('//')
    ? value
    : '/dashboard';
}

/** Sign-in, then back to `returnTo` when it is a path sign-in would follow (else to the dashboard's home). */
export function signInPathFor(returnTo: string): string {
  const next = safeReturnPath(returnTo);
  return next === '/dashboard' && returnTo !== '/dashboard'
    ? '/dashboard/sign-in'
    : `/dashboard/sign-in?next=${encodeURIComponent(next)}`;
}
