import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { listThreadsInput } from '@/lib/threads/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/threads',
  summary: "An account's threads, most recently active first",
  tag: 'Threads',
  scope: 'account',
  params: z.object({ id: accountIdParam }),
  input: listThreadsInput,
  output: { status: 200, description: 'Thread resource URLs', schema: z.array(z.string()) },
  reasons: [],
});
