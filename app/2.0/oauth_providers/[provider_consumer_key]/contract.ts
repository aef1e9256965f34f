import { z } from 'zod';
import { defineRoute, noInput, successJson } from '@/lib/http/contract';
import { oauthProviderJson, oauthProviderKeyParam } from '@/lib/oauth-providers/schema';

const params = z.object({ provider_consumer_key: oauthProviderKeyParam });

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/oauth_providers/{provider_consumer_key}',
  summary: 'Get an OAuth provider',
  tag: 'OAuth providers',
  scope: 'developer',
  params,
  input: noInput,
  output: { status: 200, description: 'The provider', schema: oauthProviderJson },
  reasons: ['oauth_provider_not_found'],
});

export const DELETE = defineRoute({
  method: 'DELETE',
  path: '/2.0/oauth_providers/{provider_consumer_key}',
  summary: 'Delete an OAuth provider (its sources keep their tokens until a refresh fails)',
  tag: 'OAuth providers',
  scope: 'developer',
  params,
  input: noInput,
  output: { status: 200, description: 'Deleted', schema: successJson },
  reasons: ['oauth_provider_not_found'],
});
