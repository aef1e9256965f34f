import { getConfig } from '@/lib/env';
import { methodNotAllowed, optionsForResource } from '@/lib/http/api-route';
import { buildOpenApiDocument } from '@/lib/http/openapi';
import { jsonResponse } from '@/lib/http/respond';

export const dynamic = 'force-dynamic';

/** The API's OpenAPI 3.1 document; public, like any API reference. */
export function GET(): Response {
  return jsonResponse(buildOpenApiDocument(getConfig().publicUrl));
}

export const POST = methodNotAllowed;
export const PUT = methodNotAllowed;
export const DELETE = methodNotAllowed;
export const PATCH = methodNotAllowed;
export const OPTIONS = optionsForResource;
