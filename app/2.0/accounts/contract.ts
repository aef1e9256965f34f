import { z } from 'zod';
import { accountCreatedJson, accountJson, createAccountInput, listAccountsInput } from '@/lib/accounts/schema';
import { defineRoute, noParams } from '@/lib/http/contract';
import { sourceCheckFailedJson } from '@/lib/sources/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts',
  summary: 'List accounts',
  tag: 'Accounts',
  scope: 'developer',
  params: noParams,
  input: listAccountsInput,
  output: { status: 200, description: 'Accounts, oldest first', schema: z.array(accountJson) },
  reasons: [],
});

export const POST = defineRoute({
  method: 'POST',
  path: '/2.0/accounts',
  summary: 'Create an account, optionally with its first source (password or OAuth2 refresh token)',
  tag: 'Accounts',
  scope: 'developer',
  params: noParams,
  input: createAccountInput,
  output: {
    status: 201,
    description: 'Created (with `source` when one was given)',
    schema: accountCreatedJson,
    alternative: {
      status: 200,
      description: 'The first source’s login check failed; nothing was stored',
      schema: sourceCheckFailedJson,
    },
  },
  reasons: ['callback_url_not_allowed', 'callback_url_private', 'oauth_provider_unknown', 'mailbox_already_attached'],
});
