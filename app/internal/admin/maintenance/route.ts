import { currentTime } from '@/lib/clock';
import { getDb } from '@/lib/db/client';
import { isAdminRequest } from '@/lib/server/admin-channel';
import { runMaintenance } from '@/lib/server/maintenance';

export const dynamic = 'force-dynamic';

/** Runs the scheduled housekeeping now (operators and tests; bearer token from the data directory). */
export async function POST(request: Request): Promise<Response> {
  if (!isAdminRequest(request.headers.get('authorization'))) {
    return Response.json({ type: 'error', value: 'not found' }, { status: 404 });
  }
  return Response.json(await runMaintenance(await getDb(), currentTime()));
}
