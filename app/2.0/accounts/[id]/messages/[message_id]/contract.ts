import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import { getMessageInput, messageIdParam, messageJson } from '@/lib/messages/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}',
  summary: 'Get a synced message',
  tag: 'Messages',
  scope: 'account',
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: getMessageInput,
  output: { status: 200, description: 'The message', schema: messageJson },
  reasons: ['message_not_found', 'content_too_large', 'imap_unavailable'],
});
