import { cookies } from 'next/headers';
import { finishSession, isValidCsrfForSessionCookie, SESSION_COOKIE } from '../_shared/session';

export const dynamic = 'force-dynamic';

const seeOther = (location: string) => new Response(null, { status: 303, headers: { location } });

/**
 * Sign-out is a plain form POST (works without JavaScript). Route handlers get
 * no Origin check from Next.js, so the session-bound CSRF token is required.
 */
export async function POST(request: Request): Promise<Response> {
  const form = await request.formData().catch(() => null);
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return seeOther('/dashboard/sign-in');
  if (!isValidCsrfForSessionCookie(token, form?.get('csrf'))) {
    return new Response('This form has expired. Go back, reload the page and sign out again.', {
      status: 403,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  }
  await finishSession();
  return seeOther('/dashboard/sign-in?signed_out=1');
}
