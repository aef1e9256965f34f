// Liveness: answers without touching the database, so it is also the benchmark's baseline handler.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return new Response('{"ok":true}', { headers: { 'content-type': 'application/json' } });
}
