import { z } from 'zod';
import { accountIdParam, accountJson, updateAccountInput } from '@/lib/accounts/schema';
import { defineRoute, noInput, successJson } from '@/lib/http/contract';

const params = z.object({ id: accountIdParam });

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}',
  summary: 'Get an account',
  tag: 'Accounts',
  scope: 'account',
  params,
  input: noInput,
  output: { status: 200, description: 'The account', schema: accountJson },
  reasons: [],
});

export const POST = defineRoute({
  method: 'POST',
  path: '/2.0/accounts/{id}',
  summary: "Update an account's names",
  tag: 'Accounts',
  scope: 'account',
  params,
  input: updateAccountInput,
  output: { status: 200, description: 'Updated', schema: successJson },
  reasons: ['account_not_found'],
});

export const DELETE = defineRoute({
  method: 'DELETE',
  path: '/2.0/accounts/{id}',
  summary: 'Delete an account with its sources and synced data',
  tag: 'Accounts',
  scope: 'account',
  params,
  input: noInput,
  output: { status: 200, description: 'Deleted', schema: successJson },
  reasons: ['account_not_found'],
});
