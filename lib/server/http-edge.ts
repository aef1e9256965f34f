import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import next from 'next';
import { ConfigError, getConfig } from '@/lib/env';
import { CLIENT_ADDRESS_HEADER, resolveClientAddress } from '@/lib/http/client-address';
import {
  type EdgeResponse,
  internalErrorResponse,
  malformedRequestResponse,
  ORIGINAL_PATH_HEADER,
  screenRequest,
  serializeResponse,
} from '@/lib/http/edge';

/**
 * `npm start`: Next.js behind a small HTTP edge (Next's custom-server API).
 * The edge answers what Next.js would mishandle (lib/http/edge.ts), sets the
 * headers only it can vouch for (the client's address, the path as sent) and
 * hands everything else to Next.js unchanged. Start-up itself (database, jobs,
 * first-start output) stays in instrumentation.ts, which Next.js runs in prepare().
 */
export async function startHttpEdge(options: {
  /** The project root (Next.js's build is in its .next). */ dir: string;
}): Promise<void> {
  let config: ReturnType<typeof getConfig>;
  try {
    config = getConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`Mailport cannot start: ${error.message}`);
    process.exit(1);
  }

  const app = next({
    dev: false,
    // Passed in: this module also runs compiled into .next/mailport (scripts/build-edge.ts).
    dir: options.dir,
    hostname: 'localhost',
    port: config.port,
  });
  const handle = app.getRequestHandler();
  // Listen at once, as `next start` does: early requests wait for prepare() instead of being refused.
  const prepared = app.prepare().catch((error: unknown) => {
    console.error('Mailport cannot start:', error);
    process.exit(1);
  });

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const verdict = screenRequest({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (verdict.kind === 'reject') {
      writeResponse(res, verdict.response);
      return;
    }
    req.url = verdict.url;
    // Overwritten on every request: whatever a client sent under these names is gone.
    req.headers[ORIGINAL_PATH_HEADER] = verdict.originalPath;
    req.headers[CLIENT_ADDRESS_HEADER] = resolveClientAddress(
      req.socket.remoteAddress,
      req.headers['x-forwarded-for'],
      config.trustedProxyHops,
    );
    await prepared;
    await handle(req, res).catch((error: unknown) => {
      // Next.js answers its own errors; this is a last resort that never shows the error to the client.
      console.error('unexpected error in the request handler:', error);
      if (!res.headersSent) writeResponse(res, internalErrorResponse(req.url ?? '/'));
      else res.destroy();
    });
  });

  // Requests Node's parser rejects (an unknown method such as TRACK, bad headers) never reach the handler.
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const head = error.rawPacket?.subarray(0, 2048).toString('latin1') ?? '';
    socket.end(serializeResponse(malformedRequestResponse(error.code, head)));
  });

  server.on('error', (error) => {
    console.error(`Mailport cannot start: ${error.message}`);
    process.exit(1);
  });
  // All interfaces, as `next start` without -H (it ignores HOSTNAME, which Docker sets to the container id).
  server.listen(config.port);

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      // Stop taking connections; instrumentation's handler (lib/server/start.ts, registered after
      // this one) stops the jobs, closes the database and exits. Without it (start-up unfinished),
      // leave once the connections are closed.
      const isExitHandled = process.listenerCount(signal) > 0;
      server.close(() => {
        if (!isExitHandled) process.exit(signal === 'SIGINT' ? 130 : 143);
      });
      server.closeIdleConnections();
    });
  }
}

function writeResponse(res: ServerResponse, response: EdgeResponse): void {
  res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
  res.end(response.body);
}
