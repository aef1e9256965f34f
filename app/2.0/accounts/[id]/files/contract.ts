import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { fileJson, listFilesInput } from '@/lib/files/schema';
import { defineRoute } from '@/lib/http/contract';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/files',
  summary: "List the attachments of an account's synced messages",
  tag: 'Files',
  scope: 'account',
  params: z.object({ id: accountIdParam }),
  input: listFilesInput,
  output: { status: 200, description: 'Files, newest message first', schema: z.array(fileJson) },
  reasons: [],
});
