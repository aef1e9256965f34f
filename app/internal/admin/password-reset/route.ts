import { z } from 'zod';
import { getDb } from '@/lib/db/client';
import { isAdminRequest } from '@/lib/server/admin-channel';
import { createPasswordReset } from '@/lib/sessions/mutations';
import { emailField } from '@/lib/sessions/schema';

export const dynamic = 'force-dynamic';

const input = z.object({ email: emailField });

/** `npm run dashboard:password` lands here when the embedded database is held by this process. */
export async function POST(request: Request): Promise<Response> {
  if (!isAdminRequest(request.headers.get('authorization'))) {
    return Response.json({ type: 'error', value: 'not found' }, { status: 404 });
  }
  const parsed = input.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return Response.json({ type: 'error', value: parsed.error.issues[0]?.message ?? 'invalid input' }, { status: 400 });
  }
  const result = await createPasswordReset(await getDb(), parsed.data.email, new Date());
  return Response.json(
    result.ok ? { ok: true, token: result.token, expiresAt: result.expiresAt.toISOString() } : result,
  );
}
