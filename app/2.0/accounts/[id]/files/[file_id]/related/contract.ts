import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { fileIdParam, fileJson } from '@/lib/files/schema';
import { defineRoute, noInput } from '@/lib/http/contract';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/files/{file_id}/related',
  summary: 'Files of the same name in other messages (earlier or later versions)',
  tag: 'Files',
  scope: 'account',
  params: z.object({ id: accountIdParam, file_id: fileIdParam }),
  input: noInput,
  output: { status: 200, description: 'Related files, newest message first', schema: z.array(fileJson) },
  reasons: ['file_not_found'],
});
