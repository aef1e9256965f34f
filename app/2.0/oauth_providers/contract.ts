import { z } from 'zod';
import { defineRoute, noInput, noParams } from '@/lib/http/contract';
import { createOAuthProviderInput, oauthProviderCreatedJson, oauthProviderJson } from '@/lib/oauth-providers/schema';

export const GET = defineRoute({
  method: 'GET',
  path: '/2.0/oauth_providers',
  summary: "List the developer's OAuth providers (Google / Microsoft clients)",
  tag: 'OAuth providers',
  scope: 'developer',
  params: noParams,
  input: noInput,
  output: { status: 200, description: 'Providers, oldest first', schema: z.array(oauthProviderJson) },
  reasons: [],
});

export const POST = defineRoute({
  method: 'POST',
  path: '/2.0/oauth_providers',
  summary: 'Add an OAuth provider',
  tag: 'OAuth providers',
  scope: 'developer',
  params: noParams,
  input: createOAuthProviderInput,
  output: { status: 201, description: 'Added', schema: oauthProviderCreatedJson },
  reasons: ['oauth_provider_exists'],
});
