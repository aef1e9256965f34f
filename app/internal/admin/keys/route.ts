import { getDb } from '@/lib/db/client';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { createDeveloperKeyInput } from '@/lib/developers/schema';
import { isAdminRequest } from '@/lib/server/admin-channel';

export const dynamic = 'force-dynamic';

/** `npm run keys:create` lands here when the embedded database is held by this process. */
export async function POST(request: Request): Promise<Response> {
  if (!isAdminRequest(request.headers.get('authorization'))) {
    return Response.json({ type: 'error', value: 'not found' }, { status: 404 });
  }
  const parsed = createDeveloperKeyInput.safeParse(await request.json().catch(() => null));
  if (!parsed.success) {
    return Response.json({ type: 'error', value: parsed.error.issues[0]?.message ?? 'invalid input' }, { status: 400 });
  }
  const credentials = await createDeveloperKey(await getDb(), parsed.data);
  return Response.json({ developer_id: credentials.developerId, key: credentials.key, secret: credentials.secret });
}
