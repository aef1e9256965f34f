import { z } from 'zod';
import { accountJson, listAccountsInput } from '@/lib/accounts/schema';
import { defineRoute, noParams } from '@/lib/http/contract';

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
