import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { defaultConnectFlowDeps } from '@/lib/connect-flow/deps';
import { openConnectFlow } from '@/lib/connect-flow/mutations';
import { positionOf } from '@/lib/connect-flow/steps';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * Where the connect page sends a first visit: opens the flow (its "opened"
 * time, the email the partner gave) and runs settings discovery, then 303s back
 * to the page. A GET, so a plain link or redirect works with JavaScript off; it
 * does only what the position asks, so a reload or a stray visit repeats nothing.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }): Promise<Response> {
  const { token } = await params;
  const db = await getDb();
  const now = currentTime();
  const state = await loadConnectPage(db, token, now);
  if (state.kind === 'active') {
    const { row, level } = state;
    const position = positionOf({ level, tokenEmail: row.email, flow: row.flow, revisit: null });
    if (position.kind === 'prepare') await openConnectFlow(db, row, defaultConnectFlowDeps(), now);
  }
  return new Response(null, { status: 303, headers: { location: `/connect/${encodeURIComponent(token)}` } });
}
