import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { bodyInput, bodyPartJson } from '@/lib/message-content/schema';
import { messageIdParam } from '@/lib/messages/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}/body',
  summary: "A message's body parts, read from the mail server",
  tag: 'Messages',
  scope: 'account',
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: bodyInput,
  output: { status: 200, description: 'The text/plain and text/html parts', schema: z.array(bodyPartJson) },
  reasons: ['message_not_found', 'message_gone', 'content_too_large', 'imap_unavailable'],
});
