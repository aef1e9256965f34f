import https from 'node:https';
import { isIP } from 'node:net';
import { checkHostAllowed, type ResolveHost } from './guard';

/**
 * GET a small text document from a host someone else names (settings discovery
 * reaches autoconfig.<domain> for any domain an end user types), without letting
 * that someone aim our server at an internal address. Every hop, redirects
 * included, is https on the default port, resolved once, checked by the guard
 * and connected to the checked address; TLS SNI and Host keep the name.
 */

export interface PublicHttpsGetOptions {
  allowPrivateHosts: boolean;
  /** Bound on the whole GET, every hop and the body together. */
  timeoutMs: number;
  maxBytes: number;
  maxRedirects: number;
  accept: string;
  /** Asked before every request, redirect hops included; false ends the GET without one. */
  takeProbe?: () => Promise<boolean>;
  resolve?: ResolveHost;
  /**
   * Tests only: where a checked address and port are really dialled (as curl's
   * --connect-to), so a local server can stand in for a public one. The guard
   * still decides on the address DNS gave.
   */
  connectTo?: (address: string, port: number) => { address: string; port: number };
  /** Tests only: extra trust for a local server's self-signed certificate. */
  ca?: string | Buffer;
}

const HTTPS_PORT = 443;

/** The body of a 2xx answer, or null for anything else (refused hop, error, timeout, too large); never throws. */
export async function getPublicHttpsText(url: string, options: PublicHttpsGetOptions): Promise<string | null> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    let target = new URL(url);
    for (let hop = 0; hop <= options.maxRedirects; hop++) {
      // Default port only: a redirect must not turn discovery into a port scanner.
      if (target.protocol !== 'https:' || target.port !== '' || target.username || target.password) return null;
      if (options.takeProbe && !(await options.takeProbe())) return null;
      const host = await checkHostAllowed(target.hostname, options.allowPrivateHosts, {
        timeoutMs: options.timeoutMs,
        resolve: options.resolve,
      });
      if (!host.ok || signal.aborted) return null;
      const answer = await getOnce(target, host.address, options, signal);
      if (answer.kind === 'redirect') {
        target = new URL(answer.location, target);
        continue;
      }
      return answer.kind === 'body' ? answer.text : null;
    }
    return null; // more redirects than allowed
  } catch {
    return null;
  }
}

type Answer = { kind: 'body'; text: string } | { kind: 'redirect'; location: string } | { kind: 'none' };

function getOnce(url: URL, address: string, options: PublicHttpsGetOptions, signal: AbortSignal): Promise<Answer> {
  const dial = options.connectTo?.(address, HTTPS_PORT) ?? { address, port: HTTPS_PORT };
  const name = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        method: 'GET',
        // The socket goes to the checked address (no DNS at all, IP literal or not);
        // the certificate is checked against the name, which SNI carries unless it is an IP literal.
        host: dial.address,
        port: dial.port,
        path: `${url.pathname}${url.search}`,
        servername: isIP(name) ? '' : name,
        headers: { host: url.host, accept: options.accept, 'user-agent': 'Mailport-Discovery/1' },
        ...(options.ca ? { ca: options.ca } : {}),
        agent: false,
        signal,
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const location = response.headers.location;
        if (status >= 300 && status < 400 && location) {
          response.destroy();
          resolve({ kind: 'redirect', location });
          return;
        }
        if (status < 200 || status >= 300 || Number(response.headers['content-length'] ?? 0) > options.maxBytes) {
          response.destroy();
          resolve({ kind: 'none' });
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            response.destroy();
            resolve({ kind: 'none' });
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => resolve({ kind: 'body', text: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
        response.on('close', () => resolve({ kind: 'none' })); // a no-op once settled
      },
    );
    request.on('error', reject);
    request.end();
  });
}
