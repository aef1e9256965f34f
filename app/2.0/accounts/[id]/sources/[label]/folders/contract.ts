import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute, noInput } from '@/lib/http/contract';
import { folderJson } from '@/lib/mailbox-sync/schema';
import { sourceLabelParam } from '@/lib/sources/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/sources/{label}/folders',
  summary: "List a source's folders, with whether each is synced",
  tag: 'Sources',
  scope: 'source',
  params: z.object({ id: accountIdParam, label: sourceLabelParam }),
  input: noInput,
  output: { status: 200, description: 'Folders, by name', schema: z.array(folderJson) },
  reasons: [],
});
