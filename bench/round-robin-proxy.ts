/**
 * The simplest load balancer for bench/scale-out.ts: an HTTP proxy that sends
 * each request to the next upstream in turn over keep-alive connections, the
 * Host header as the client sent it (OAuth signatures cover the URL).
 *
 *   npx tsx bench/round-robin-proxy.ts PORT UPSTREAM_URL...
 */
import { Agent, createServer, request } from 'node:http';

const [portArg, ...upstreams] = process.argv.slice(2);
if (!portArg || upstreams.length === 0) {
  console.error('usage: round-robin-proxy.ts PORT UPSTREAM_URL...');
  process.exit(2);
}
const targets = upstreams.map((url) => new URL(url));
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let next = 0;

createServer((incoming, outgoing) => {
  const target = targets[next++ % targets.length];
  if (!target) return;
  const upstream = request(
    {
      host: target.hostname,
      port: target.port,
      method: incoming.method,
      path: incoming.url,
      headers: incoming.headers,
      agent,
    },
    (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    },
  );
  upstream.on('error', () => {
    if (!outgoing.headersSent) outgoing.writeHead(502);
    outgoing.end();
  });
  incoming.pipe(upstream);
}).listen(Number(portArg), '127.0.0.1', () => console.log('proxy ready'));
