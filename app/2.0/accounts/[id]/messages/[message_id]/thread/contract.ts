import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute, noInput } from '@/lib/http/contract';
import { messageIdParam } from '@/lib/messages/schema';
import { threadJson } from '@/lib/threads/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}/thread',
  summary: 'The conversation the message belongs to',
  tag: 'Threads',
  scope: 'account',
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: noInput,
  output: { status: 200, description: 'The thread', schema: threadJson },
  reasons: ['message_not_found'],
});
