import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { listSourcesInput, sourceJson } from '@/lib/sources/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/sources',
  summary: "List an account's sources",
  tag: 'Sources',
  scope: 'account',
  params: z.object({ id: accountIdParam }),
  input: listSourcesInput,
  output: { status: 200, description: 'Sources, oldest first', schema: z.array(sourceJson) },
  reasons: [],
});
