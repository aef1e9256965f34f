import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { setFlowError } from '@/lib/connect-flow/mutations';
import { startOAuthSignIn } from '@/lib/connect-flow/oauth';
import { getDb } from '@/lib/db/client';
import { getConfig } from '@/lib/env';

export const dynamic = 'force-dynamic';

/**
 * "Continue with Google/Microsoft" (and "Try again", "Use another account"): a
 * GET, so a plain link works with JavaScript off. Binds a fresh state to this
 * flow and browser (an HTTP-only cookie), then 303s to the provider's consent screen.
 */
export async function GET(request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  const page = `/connect/${encodeURIComponent(token)}`;
  const db = await getDb();
  const now = currentTime();
  const state = await loadConnectPage(db, token, now);
  if (state.kind !== 'active') return new Response(null, { status: 303, headers: { location: page } });
  const { publicUrl } = getConfig();
  const chooseAccount = new URL(request.url).searchParams.get('account') === 'choose';
  const started = await startOAuthSignIn(db, state.row, { publicUrl, now, chooseAccount });
  if (!started.ok) {
    await setFlowError(db, token, { kind: 'code', code: started.code });
    return new Response(null, { status: 303, headers: { location: page } });
  }
  const { cookie } = started;
  const secure = publicUrl.startsWith('https:') ? '; Secure' : '';
  return new Response(null, {
    status: 303,
    headers: {
      location: started.redirectUrl,
      // Lax: the provider sends the browser back with a top-level GET, which carries it.
      'set-cookie': `${cookie.name}=${cookie.value}; Path=${cookie.path}; Max-Age=${cookie.maxAgeSeconds}; HttpOnly; SameSite=Lax${secure}`,
      'cache-control': 'no-store',
    },
  });
}
