import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute, noInput } from '@/lib/http/contract';
import { flagsJson, setFlagsInput, setFlagsJson } from '@/lib/message-content/schema';
import { messageIdParam } from '@/lib/messages/schema';

const params = z.object({ id: accountIdParam, message_id: messageIdParam });

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/messages/{message_id}/flags',
  summary: "A message's flags, as the mail server holds them now",
  tag: 'Messages',
  scope: 'account',
  params,
  input: noInput,
  output: { status: 200, description: 'The flags', schema: flagsJson },
  reasons: ['message_not_found', 'message_gone', 'imap_unavailable'],
});

export const POST = defineRoute({
  method: 'POST',
  path: '/2.0/accounts/{id}/messages/{message_id}/flags',
  summary: 'Set or clear flags on the mail server',
  tag: 'Messages',
  scope: 'account',
  params,
  input: setFlagsInput,
  output: { status: 200, description: 'The flags the server holds afterwards', schema: setFlagsJson },
  reasons: ['message_not_found', 'message_gone', 'imap_unavailable'],
});
