import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { exitUrl } from '@/lib/connect-flow/exits';
import { recordCancel } from '@/lib/connect-flow/mutations';
import { partnerReturnUrl } from '@/lib/connect-tokens/serialize';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * "Cancel and go back": the token stays unused and the partner app learns why
 * (spec §13): callback_url?contextio_token=…&error=cancelled (with
 * error_description under redirect_on_error; a popup's finish page posts it instead).
 */
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  const db = await getDb();
  const state = await loadConnectPage(db, token, currentTime());
  // Encoded: the token is the decoded path segment, and a control character in a header is a TypeError (a 500).
  const page = `/connect/${encodeURIComponent(token)}`;
  let target: string;
  if (state.kind === 'not_found') target = page;
  else if (state.kind === 'active') {
    await recordCancel(db, token, currentTime());
    target = exitUrl(state.row, 'cancelled') ?? page;
  } else if (state.kind === 'expired') target = exitUrl(state.row, 'expired') ?? page;
  else target = exitUrl(state.row, 'already_used') ?? partnerReturnUrl(state.row.callbackUrl, token);
  return new Response(null, { status: 303, headers: { location: target } });
}
