import { getConfig } from '@/lib/env';
import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { openApiDocumentOnce } from '@/lib/http/openapi';
import { jsonResponse } from '@/lib/http/respond';
import { API_ROUTES } from '../_shared/routes';

export const dynamic = 'force-dynamic';

/** The API's OpenAPI 3.1 document; public, like any API reference. */
export function GET(): Response {
  return jsonResponse(openApiDocumentOnce(getConfig().publicUrl, API_ROUTES));
}

export const POST = methodNotAllowed(['GET']);
export const PUT = methodNotAllowed(['GET']);
export const DELETE = methodNotAllowed(['GET']);
export const PATCH = methodNotAllowed(['GET']);
export const OPTIONS = optionsForResource(['GET']);
