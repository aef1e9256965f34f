import { isDatabaseReady } from '@/lib/db/client';
import { DATABASE_RETRY_AFTER_SECONDS, jsonResponse } from '@/lib/http/respond';

// Readiness, for load balancers and Playwright's webServer: 200 only while the database answers.
// Liveness (no database) is /livez.
export const dynamic = 'force-dynamic';

const NO_STORE = { 'cache-control': 'no-store' };

export async function GET(): Promise<Response> {
  if (await isDatabaseReady()) return jsonResponse({ status: 'ok', database: 'ok' }, 200, NO_STORE);
  return jsonResponse({ status: 'unavailable', database: 'unavailable' }, 503, {
    ...NO_STORE,
    'retry-after': String(DATABASE_RETRY_AFTER_SECONDS),
  });
}
