import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute, noInput } from '@/lib/http/contract';
import { messageFolderJson } from '@/lib/message-content/schema';
import { messageIdParam } from '@/lib/messages/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}/folders',
  summary: 'The folders holding a copy of the message (as synced)',
  tag: 'Messages',
  scope: 'account',
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: noInput,
  output: { status: 200, description: 'The folders', schema: z.array(messageFolderJson) },
  reasons: ['message_not_found'],
});
