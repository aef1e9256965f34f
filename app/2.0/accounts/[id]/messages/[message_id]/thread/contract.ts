import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { messageIdParam } from '@/lib/messages/schema';
import { threadInput, threadJson } from '@/lib/threads/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}/thread',
  summary: 'The conversation the message belongs to',
  tag: 'Threads',
  scope: 'account',
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: threadInput,
  output: { status: 200, description: 'The thread', schema: threadJson },
  reasons: ['message_not_found', 'content_too_large', 'imap_unavailable'],
});
