import { z } from 'zod';
import { accountIdParam } from '@/lib/accounts/schema';
import { defineRoute } from '@/lib/http/contract';
import {
  createSourceInput,
  listSourcesInput,
  sourceCheckFailedJson,
  sourceCreatedJson,
  sourceJson,
} from '@/lib/sources/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/accounts/{id}/sources',
  summary: "List an account's sources",
  tag: 'Sources',
  scope: 'account',
  params: z.object({ id: accountIdParam }),
  input: listSourcesInput,
  output: { status: 200, description: 'Sources, oldest first', schema: z.array(sourceJson) },
  reasons: [],
});

export const POST = defineRoute({
  method: 'POST',
  path: '/2.0/accounts/{id}/sources',
  summary: 'Add a mailbox server-side (password or OAuth2 refresh token), checked by a real login first',
  tag: 'Sources',
  scope: 'account',
  params: z.object({ id: accountIdParam }),
  input: createSourceInput,
  output: {
    status: 201,
    description: 'Added',
    schema: sourceCreatedJson,
    alternative: {
      status: 200,
      description: 'The login check failed; nothing was stored',
      schema: sourceCheckFailedJson,
    },
  },
  reasons: ['callback_url_not_allowed', 'callback_url_private', 'oauth_provider_unknown', 'mailbox_already_attached'],
});
