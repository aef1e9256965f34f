import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { fileIdParam } from '@/lib/files/schema';
import { binaryOutput, defineRoute } from '@/lib/http/contract';
import { fileContentInput } from '@/lib/message-content/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/files/{file_id}/content',
  summary: "An attachment's bytes, streamed from the mail server",
  tag: 'Files',
  scope: 'account',
  params: z.object({ id: accountIdParam, file_id: fileIdParam }),
  input: fileContentInput,
  output: {
    status: 200,
    description: 'The decoded attachment, with its content type and a Content-Disposition file name',
    schema: binaryOutput,
    streams: '*',
  },
  reasons: ['file_not_found', 'message_gone', 'imap_unavailable'],
});
