import { jsonResponse } from '@/lib/http/respond';

/** Any other /2.0 path, /2.0 itself included: Context.IO's JSON error, not Next.js's HTML 404 page. */
function unknownResource(request: Request): Response {
  const path = new URL(request.url).pathname;
  return jsonResponse({ type: 'error', value: `unknown resource ${path}` }, 404);
}

export const GET = unknownResource;
export const POST = unknownResource;
export const PUT = unknownResource;
export const DELETE = unknownResource;
export const PATCH = unknownResource;
export const OPTIONS = unknownResource;
