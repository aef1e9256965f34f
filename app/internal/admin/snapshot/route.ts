import { z } from 'zod';
import { testHooksEnabled } from '@/lib/clock';
import { getDb } from '@/lib/db/client';
import { developerIdsByEmail, snapshotTables } from '@/lib/db/snapshot';
import { isAdminRequest } from '@/lib/server/admin-channel';

export const dynamic = 'force-dynamic';

const input = z.object({
  developer_ids: z.array(z.string()).optional(),
  developer_emails: z.array(z.string()).optional(),
});

/**
 * Test hook (MAILPORT_TEST_HOOKS=1 only): row counts and checksums of every table, optionally of the
 * given developers' rows, so the bad-input suites can prove a refused request stored nothing.
 */
export async function POST(request: Request): Promise<Response> {
  if (!testHooksEnabled() || !isAdminRequest(request.headers.get('authorization'))) {
    return Response.json({ type: 'error', value: 'not found' }, { status: 404 });
  }
  const parsed = input.safeParse(await request.json().catch(() => null));
  if (!parsed.success)
    return Response.json({ type: 'error', value: 'expected {"developer_ids": [...]}' }, { status: 400 });
  const db = await getDb();
  const { developer_ids, developer_emails } = parsed.data;
  const scope =
    developer_ids || developer_emails
      ? [...(developer_ids ?? []), ...(developer_emails ? await developerIdsByEmail(db, developer_emails) : [])]
      : undefined;
  return Response.json(await snapshotTables(db, scope));
}
