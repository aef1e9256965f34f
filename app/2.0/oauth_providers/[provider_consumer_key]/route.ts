import { apiRoute, methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { findOAuthProvider } from '@/lib/oauth-providers/data';
import { deleteOAuthProvider } from '@/lib/oauth-providers/mutations';
import { serializeOAuthProvider } from '@/lib/oauth-providers/serialize';
import * as contract from './contract';

export const GET = apiRoute(contract.GET, async ({ db, developerId, params, baseUrl }) => {
  const row = await findOAuthProvider(db, developerId, params.provider_consumer_key);
  return row ? { body: serializeOAuthProvider(row, baseUrl) } : { ok: false, reason: 'oauth_provider_not_found' };
});

export const DELETE = apiRoute(contract.DELETE, async ({ db, developerId, params }) => {
  const row = await findOAuthProvider(db, developerId, params.provider_consumer_key);
  return row && (await deleteOAuthProvider(db, row))
    ? { body: { success: true as const } }
    : { ok: false, reason: 'oauth_provider_not_found' };
});

export const POST = methodNotAllowed(contract);
export const PUT = methodNotAllowed(contract);
export const PATCH = methodNotAllowed(contract);
export const OPTIONS = optionsForResource(contract);
