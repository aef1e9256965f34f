import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { threadIdParam, threadInput, threadJson } from '@/lib/threads/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/threads/{thread_id}',
  summary: 'A thread and its messages',
  tag: 'Threads',
  scope: 'account',
  params: z.object({ id: accountIdParam, thread_id: threadIdParam }),
  input: threadInput,
  output: { status: 200, description: 'The thread', schema: threadJson },
  reasons: ['thread_not_found', 'content_too_large', 'imap_unavailable'],
});
