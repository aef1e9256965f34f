import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { listMessagesInput, messageJson } from '@/lib/messages/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages',
  summary: "List an account's synced messages, newest first",
  tag: 'Messages',
  scope: 'account',
  params: z.object({ id: accountIdParam }),
  input: listMessagesInput,
  output: { status: 200, description: 'Messages', schema: z.array(messageJson) },
  reasons: ['content_too_large', 'imap_unavailable'],
});
