import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { listOAuthProviders } from '@/lib/oauth-providers/data';
import { createOAuthProvider } from '@/lib/oauth-providers/mutations';
import { oauthProviderResourceUrl, serializeOAuthProvider } from '@/lib/oauth-providers/serialize';
import * as contract from './contract';

/** /2.0/oauth_providers (spec §14): the developer's own Google and Microsoft OAuth clients. */
export const GET = apiRoute(contract.GET, async ({ db, developerId, baseUrl }) => ({
  body: (await listOAuthProviders(db, developerId)).map((row) => serializeOAuthProvider(row, baseUrl)),
}));

export const POST = apiRoute(contract.POST, async ({ db, developerId, input, baseUrl, now }) => {
  const created = await createOAuthProvider(db, developerId, input, now);
  if (!created.ok) return created;
  return {
    body: {
      success: true as const,
      provider_consumer_key: created.consumerKey,
      resource_url: oauthProviderResourceUrl(baseUrl, created.consumerKey),
    },
  };
});

export const PUT = methodNotAllowed(contract);
export const DELETE = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
