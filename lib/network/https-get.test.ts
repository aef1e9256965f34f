import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHttpsServer, startLocalHttpsServer } from '@/e2e/fixtures/https';
import type { ResolveHost } from './guard';
import { getPublicHttpsText, type PublicHttpsGetOptions } from './https-get';

/**
 * The guarded GET against a real TLS server on 127.0.0.1. DNS is a table here
 * (no outside DNS on build machines); `connectTo` dials every checked address at
 * the local server, so a "public" name is served locally and nothing leaves the machine.
 */

const PUBLIC = '93.184.215.14';
const DOCUMENT = '<clientConfig version="1.1"/>';

const dns: Record<string, string[]> = {
  'acme.example': [PUBLIC],
  'www.acme.example': [PUBLIC],
  'local.acme.example': ['127.0.0.1'],
  'intranet.acme.example': ['10.0.0.7'],
  'mixed.acme.example': [PUBLIC, '192.168.1.1'],
  'metadata.acme.example': ['169.254.169.254'],
};

let server: LocalHttpsServer;
const resolved: string[] = [];
const dialled: string[] = [];

const resolve: ResolveHost = async (host) => {
  resolved.push(host);
  const addresses = dns[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

const redirects: Record<string, string> = {
  '/moved': '/config.xml',
  '/to-www': 'https://www.acme.example/config.xml',
  '/to-intranet': 'https://intranet.acme.example/config.xml',
  '/to-mixed': 'https://mixed.acme.example/config.xml',
  '/to-metadata': 'https://metadata.acme.example/latest/meta-data/',
  '/to-loopback': 'https://127.0.0.1/config.xml',
  '/to-v6-loopback': 'https://[::1]/config.xml',
  '/to-private-literal': 'https://10.1.2.3/config.xml',
  '/to-other-port': 'https://www.acme.example:8443/config.xml',
  '/to-explicit-443': 'https://www.acme.example:443/config.xml',
  '/to-http': 'http://www.acme.example/config.xml',
  '/to-credentials': 'https://user:secret@www.acme.example/config.xml',
};

beforeAll(async () => {
  server = await startLocalHttpsServer(['acme.example', '*.acme.example'], (request, response) => {
    const path = request.url ?? '';
    const loop = /^\/loop\/(\d+)$/.exec(path);
    if (loop) {
      response.writeHead(302, { location: `/loop/${Number(loop[1]) + 1}` }).end();
    } else if (redirects[path]) {
      response.writeHead(301, { location: redirects[path] }).end();
    } else if (path === '/config.xml') {
      response.writeHead(200, { 'content-type': 'application/xml' }).end(DOCUMENT);
    } else if (path === '/huge') {
      response.writeHead(200).end('x'.repeat(64 * 1024 + 1));
    } else {
      response.writeHead(404).end('not here');
    }
  });
});
afterAll(async () => {
  await server?.stop();
});

function options(overrides: Partial<PublicHttpsGetOptions> = {}): PublicHttpsGetOptions {
  return {
    allowPrivateHosts: false,
    timeoutMs: 5000,
    maxBytes: 64 * 1024,
    maxRedirects: 2,
    accept: 'application/xml',
    resolve,
    ca: server.ca,
    connectTo: (address) => {
      dialled.push(address);
      return { address: '127.0.0.1', port: server.port };
    },
    ...overrides,
  };
}

/** Runs a GET and returns what it touched: names resolved, addresses dialled, paths the server saw. */
async function get(url: string, overrides: Partial<PublicHttpsGetOptions> = {}) {
  resolved.length = 0;
  dialled.length = 0;
  server.seen.length = 0;
  const body = await getPublicHttpsText(url, options(overrides));
  return { body, resolved: [...resolved], dialled: [...dialled], paths: server.seen.map((seen) => seen.path) };
}

describe('getPublicHttpsText', () => {
  it('does not fetch from a server on a private address unless private hosts are allowed', async () => {
    // The address the name resolves to is really dialled here: 127.0.0.1, the local server.
    const direct = { connectTo: (address: string) => ({ address, port: server.port }) };
    const refused = await get('https://local.acme.example/config.xml', direct);
    expect(refused).toMatchObject({ body: null, paths: [] });
    expect(await get('https://127.0.0.1/config.xml', direct)).toMatchObject({ body: null, paths: [] });

    const allowed = await get('https://local.acme.example/config.xml', { ...direct, allowPrivateHosts: true });
    expect(allowed).toMatchObject({ body: DOCUMENT, paths: ['/config.xml'] });
  });

  it('connects to the checked address, keeping the name for SNI, the certificate and Host', async () => {
    const result = await get('https://acme.example/moved');
    expect(result).toMatchObject({ body: DOCUMENT, paths: ['/moved', '/config.xml'] });
    expect(result.dialled).toEqual([PUBLIC, PUBLIC]);
    // Resolved once per hop, by the guard; a second, unchecked DNS answer is never asked for.
    expect(result.resolved).toEqual(['acme.example', 'acme.example']);
    expect(server.seen.map(({ host, servername }) => ({ host, servername }))).toEqual([
      { host: 'acme.example', servername: 'acme.example' },
      { host: 'acme.example', servername: 'acme.example' },
    ]);
    // Another public host, and :443 spelled out, are fine.
    expect(await get('https://acme.example/to-www')).toMatchObject({
      body: DOCUMENT,
      paths: ['/to-www', '/config.xml'],
    });
    expect((await get('https://acme.example/to-explicit-443')).body).toBe(DOCUMENT);
  });

  it('refuses a redirect to a private, loopback or metadata address before connecting', async () => {
    for (const path of [
      '/to-intranet',
      '/to-mixed',
      '/to-metadata',
      '/to-loopback',
      '/to-v6-loopback',
      '/to-private-literal',
    ]) {
      const result = await get(`https://acme.example${path}`);
      expect(result, path).toMatchObject({ body: null, paths: [path] });
      expect(result.dialled, path).toEqual([PUBLIC]); // only the first, public hop was dialled
    }
  });

  it('refuses a redirect off https, off the default port, or carrying credentials, without a request', async () => {
    for (const path of ['/to-http', '/to-other-port', '/to-credentials']) {
      const result = await get(`https://acme.example${path}`);
      expect(result, path).toMatchObject({ body: null, paths: [path], dialled: [PUBLIC] });
    }
    expect(await get('http://acme.example/config.xml')).toMatchObject({ body: null, paths: [], resolved: [] });
    expect(await get('https://acme.example:8443/config.xml')).toMatchObject({ body: null, paths: [], resolved: [] });
  });

  it('stops a redirect chain longer than the cap', async () => {
    const result = await get('https://acme.example/loop/0');
    expect(result).toMatchObject({ body: null, paths: ['/loop/0', '/loop/1', '/loop/2'] });
    const longer = await get('https://acme.example/loop/0', { maxRedirects: 1 });
    expect(longer.paths).toEqual(['/loop/0', '/loop/1']);
  });

  it('asks for a probe before every request, and makes none once the budget is spent', async () => {
    let left = 2;
    const takeProbe = async () => {
      left -= 1;
      return left >= 0;
    };
    const result = await get('https://acme.example/loop/0', { takeProbe });
    expect(result).toMatchObject({ body: null, paths: ['/loop/0', '/loop/1'] });
    expect(await get('https://acme.example/config.xml', { takeProbe })).toMatchObject({
      body: null,
      paths: [],
      resolved: [],
    });
  });

  it('refuses bodies over the limit, error statuses, unknown names and untrusted certificates', async () => {
    expect(await get('https://acme.example/huge')).toMatchObject({ body: null, paths: ['/huge'] });
    expect(await get('https://acme.example/missing')).toMatchObject({ body: null, paths: ['/missing'] });
    expect(await get('https://nowhere.acme.example/config.xml')).toMatchObject({ body: null, dialled: [] });
    const { ca: _trusted, ...withoutCa } = options();
    expect(await getPublicHttpsText('https://acme.example/config.xml', withoutCa)).toBeNull();
  });
});
