// Liveness: the process answers. It never touches the database (a database outage must not get the
// app restarted: it recovers by itself), so it is also the benchmark's baseline handler.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return new Response('{"status":"ok"}', { headers: { 'content-type': 'application/json' } });
}
