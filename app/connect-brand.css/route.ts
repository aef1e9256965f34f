import { BRAND_THEMES, brandStyleSheet } from '@/lib/brands/schema';

export const dynamic = 'force-dynamic';

/**
 * A brand's accent for the connect pages (lib/brands/schema.ts brandStylePath):
 * built from the query alone, which must be a `#rrggbb` and a theme, so nothing
 * else can reach the sheet. Not checked for contrast here: the pages link it
 * only for a saved brand, and a hand-made address only styles its own visitor.
 */
export function GET(request: Request): Response {
  const query = new URL(request.url).searchParams;
  const theme = BRAND_THEMES.find((name) => name === query.get('theme'));
  const css = theme ? brandStyleSheet(`#${query.get('accent') ?? ''}`.toLowerCase(), theme) : '';
  if (!css) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  return new Response(css, {
    headers: { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=31536000, immutable' },
  });
}
