import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { defaultConnectFlowDeps } from '@/lib/connect-flow/deps';
import { exitUrl } from '@/lib/connect-flow/exits';
import { finishOAuthSignIn, oauthCookieName, tokenOfState } from '@/lib/connect-flow/oauth';
import { getDb } from '@/lib/db/client';
import { getConfig } from '@/lib/env';

export const dynamic = 'force-dynamic';

/** Request cookies by name (Next's cookies() would tie this handler to Next; the header is enough). */
function cookieReader(request: Request) {
  const jar = new Map<string, string>();
  for (const part of (request.headers.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0) jar.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  return (name: string) => jar.get(name);
}

/**
 * The redirect URI registered with Google and Microsoft (MAILPORT_PUBLIC_URL +
 * /connect/oauth/callback): the state names the connect token; success 303s to
 * the partner's callback_url like the password path, a failure to the token's
 * page, which shows that failure's own page.
 */
export async function GET(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const token = tokenOfState(url.searchParams.get('state'));
  const see = (location: string, extra: Record<string, string> = {}) =>
    new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store', ...extra } });
  if (!token) return see('/connect/oauth/invalid');
  const page = `/connect/${token}`;
  // The pending sign-in is over whatever happens next.
  const clearCookie = {
    'set-cookie': `${oauthCookieName(token)}=; Path=/connect/oauth/callback; Max-Age=0; HttpOnly; SameSite=Lax`,
  };
  const db = await getDb();
  const now = currentTime();
  const state = await loadConnectPage(db, token, now);
  if (state.kind !== 'active') return see(page, clearCookie);
  const result = await finishOAuthSignIn(
    db,
    state.row,
    { params: url.searchParams, cookie: cookieReader(request), publicUrl: getConfig().publicUrl },
    defaultConnectFlowDeps(),
    now,
  );
  if (result.ok) return see(result.redirectUrl, clearCookie);
  // Refused consent goes back to the partner when the token asked for that (redirect_on_error=1, issue 15).
  if (result.code === 'oauth_denied' && state.row.redirectOnError && state.row.mode !== 'popup') {
    return see(exitUrl(state.row, 'access_denied') ?? page, clearCookie);
  }
  return see(page, clearCookie);
}
