import { findLogo } from '@/lib/brands/data';
import { getDb } from '@/lib/db/client';

export const dynamic = 'force-dynamic';

/**
 * A partner's logo on the connect pages. Only PNG, JPEG or WebP we recognised
 * by their bytes; served with their own type, never sniffed (nosniff, from the
 * proxy), under a CSP that runs nothing, as an attachment-free inline image.
 * The id changes with each upload, so the response never goes stale.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = await params;
  const logo = await findLogo(await getDb(), id);
  if (!logo) return new Response('Not found', { status: 404, headers: { 'content-type': 'text/plain' } });
  return new Response(Buffer.from(logo.bytes), {
    headers: {
      'content-type': logo.type,
      'content-length': String(logo.bytes.length),
      'cache-control': 'public, max-age=31536000, immutable',
      'cross-origin-resource-policy': 'same-origin',
    },
  });
}
