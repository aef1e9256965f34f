import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { recordCancel } from '@/lib/connect-flow/mutations';
import { partnerReturnUrl } from '@/lib/connect-tokens/serialize';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * "Cancel and go back": the token stays unused and the partner app learns why
 * (spec §13): callback_url?contextio_token=…&error=cancelled.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  const db = await getDb();
  const state = await loadConnectPage(db, token, currentTime());
  if (state.kind === 'not_found' || state.kind === 'expired') {
    // Encoded: the token is the decoded path segment, and a control character in a header is a TypeError (a 500).
    return new Response(null, { status: 303, headers: { location: `/connect/${encodeURIComponent(token)}` } });
  }
  if (state.kind === 'active') await recordCancel(db, token, currentTime());
  const row = state.row;
  const target = partnerReturnUrl(row.callbackUrl, token, state.kind === 'active' ? { error: 'cancelled' } : {});
  return new Response(null, { status: 303, headers: { location: target } });
}
