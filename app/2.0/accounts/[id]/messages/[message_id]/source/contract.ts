import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { binaryOutput, defineRoute, noInput } from '@/lib/http/contract';
import { messageIdParam } from '@/lib/messages/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}/source',
  summary: 'The RFC 822 message, streamed from the mail server',
  tag: 'Messages',
  scope: 'account',
  params: z.object({ id: accountIdParam, message_id: messageIdParam }),
  input: noInput,
  output: {
    status: 200,
    description: 'The message as the server holds it',
    schema: binaryOutput,
    streams: 'message/rfc822',
  },
  reasons: ['message_not_found', 'message_gone', 'imap_unavailable'],
});
