import { z } from 'zod';
import { advanceTestClock, testHooksEnabled } from '@/lib/clock';
import { clientAddressFrom } from '@/lib/http/client-address';
import { isAdminRequest } from '@/lib/server/admin-channel';

export const dynamic = 'force-dynamic';

const input = z.object({
  advance_seconds: z
    .number()
    .int()
    .min(0)
    .max(366 * 86400),
});

/**
 * Moves the domain clock forward; only when the app was started with MAILPORT_TEST_HOOKS=1.
 * Also echoes the client address the HTTP edge determined, so tests can check it over real HTTP.
 */
export async function POST(request: Request): Promise<Response> {
  if (!testHooksEnabled() || !isAdminRequest(request.headers.get('authorization'))) {
    return Response.json({ type: 'error', value: 'not found' }, { status: 404 });
  }
  const parsed = input.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return Response.json({ type: 'error', value: 'expected {"advance_seconds": N}' }, { status: 400 });
  }
  const now = advanceTestClock(parsed.data.advance_seconds * 1000);
  return Response.json({ now: Math.floor(now.getTime() / 1000), client_address: clientAddressFrom(request.headers) });
}
