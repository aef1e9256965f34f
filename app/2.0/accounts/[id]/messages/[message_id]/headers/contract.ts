import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { headersInput, headersJson } from '@/lib/message-content/schema';
import { messageIdParam } from '@/lib/messages/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}/headers',
  summary: "A message's headers, read from the mail server",
  tag: 'Messages',
  scope: 'account',
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: headersInput,
  output: {
    status: 200,
    description: 'Header name → values; with raw=1 the header block as a JSON string',
    schema: z.union([headersJson, z.string()]),
  },
  reasons: ['message_not_found', 'message_gone', 'content_too_large', 'imap_unavailable'],
});
