import { z } from 'zod';
import { currentTime, testHooksEnabled } from '@/lib/clock';
import { completeConnection } from '@/lib/connect-tokens/mutations';
import { getDb } from '@/lib/db/client';
import { queueSourceSync } from '@/lib/mailbox-sync/mutations';
import { isAdminRequest } from '@/lib/server/admin-channel';
import { AUTHENTICATION_TYPES, TLS_MODES } from '@/lib/sources/schema';

export const dynamic = 'force-dynamic';

const input = z.object({
  token: z.string(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  mailbox: z.object({
    email: z.email(),
    server: z.string().min(1),
    port: z.number().int(),
    tlsMode: z.enum(TLS_MODES),
    username: z.string().min(1),
    provider: z.string().optional(),
    authenticationType: z.enum(AUTHENTICATION_TYPES).default('password'),
    secret: z.string(),
  }),
});

/**
 * Test hook (MAILPORT_TEST_HOOKS=1 only): redeems a token exactly as the connect
 * pages do after proving the mailbox (and queues its sync), minus the IMAP login, so API tests can
 * create accounts and sources without a mail server.
 */
export async function POST(request: Request): Promise<Response> {
  if (!testHooksEnabled() || !isAdminRequest(request.headers.get('authorization'))) {
    return Response.json({ type: 'error', value: 'not found' }, { status: 404 });
  }
  const parsed = input.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ type: 'error', value: parsed.error.message }, { status: 400 });
  const { token, mailbox, first_name, last_name } = parsed.data;
  const db = await getDb();
  // Exactly how the connect pages finish: the token used, the new (or re-connected) source's sync queued.
  const result = await completeConnection(
    db,
    token,
    { mailbox, firstName: first_name, lastName: last_name },
    { startSync: async (sourceId) => void (await queueSourceSync(db, sourceId)) },
    currentTime(),
  );
  return Response.json(result);
}
