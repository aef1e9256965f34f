import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer as createTlsServer, TLSSocket, type Server as TlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { classifyImapError, type ImapCheckResult, type ImapLogin, verifyImapLogin } from './verify';

/** Logs in to a real Dovecot (e2e/fixtures/dovecot.ts) and to small local servers that misbehave on purpose. */

const PASSWORD = 'correct horse battery staple';
const user = { username: 'jane@mailport.test', password: PASSWORD };

let dovecot: DovecotServer;
let silent: Server; // accepts connections and never sends a greeting
let silentPort: number;
let closedPort: number;
let selfSigned: TlsServer; // a TLS server with a self-signed certificate
let selfSignedPort: number;
let startTls: Server; // plain IMAP that offers STARTTLS, then upgrades with the self-signed certificate
let startTlsPort: number;
let certDir: string;
const sockets = new Set<Socket>();
const seen = { silentConnections: 0, sniNames: [] as string[] };

async function listen(server: Server | TlsServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as { port: number }).port;
}

beforeAll(async () => {
  certDir = await mkdtemp(path.join(tmpdir(), 'mailport-cert-'));
  const [started] = await Promise.all([
    startDovecot({ users: [user] }),
    promisify(execFile)('openssl', [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost'],
      ...['-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem')],
    ]),
  ]);
  dovecot = started;

  silent = createServer((socket) => {
    seen.silentConnections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  silentPort = await listen(silent);

  const probe = createServer();
  closedPort = await listen(probe);
  await new Promise((resolve) => probe.close(resolve));

  const [key, cert] = await Promise.all([
    readFile(path.join(certDir, 'key.pem')),
    readFile(path.join(certDir, 'cert.pem')),
  ]);
  selfSigned = createTlsServer({
    key,
    cert,
    SNICallback: (name, done) => {
      seen.sniNames.push(name);
      done(null);
    },
  });
  selfSigned.on('secureConnection', (socket) => socket.end('* OK IMAP4rev1 ready\r\n'));
  selfSigned.on('tlsClientError', () => {});
  selfSignedPort = await listen(selfSigned);

  startTls = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.write('* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] fake server ready\r\n');
    socket.on('data', (data) => {
      const tag = /^(\S+) STARTTLS\r\n/i.exec(data.toString())?.[1];
      if (!tag) {
        socket.write(`${data.toString().split(' ')[0]} BAD only STARTTLS here\r\n`);
        return;
      }
      socket.removeAllListeners('data');
      socket.write(`${tag} OK Begin TLS negotiation now\r\n`, () => {
        const secure = new TLSSocket(socket, {
          isServer: true,
          key,
          cert,
          SNICallback: (name, done) => {
            seen.sniNames.push(`starttls:${name}`);
            done(null);
          },
        });
        secure.on('error', () => {});
      });
    });
  });
  startTlsPort = await listen(startTls);
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await Promise.all([
    dovecot?.stop(),
    new Promise((resolve) => (silent ? silent.close(resolve) : resolve(null))),
    new Promise((resolve) => (selfSigned ? selfSigned.close(resolve) : resolve(null))),
    new Promise((resolve) => (startTls ? startTls.close(resolve) : resolve(null))),
    certDir ? rm(certDir, { recursive: true, force: true }) : null,
  ]);
});

const login = (overrides: Partial<Omit<ImapLogin, 'accessToken'>> = {}): ImapLogin => ({
  server: '127.0.0.1',
  port: dovecot.port,
  tlsMode: 'NONE',
  username: user.username,
  password: PASSWORD,
  ...overrides,
});

async function expectFailure(result: ImapCheckResult, failure: string) {
  expect(result).toMatchObject({ ok: false, failure });
  if (!result.ok) expect(result.message).toMatch(/\w/);
  // Neither the password nor a part of it ever reaches the result shown to users.
  expect(JSON.stringify(result)).not.toContain('horse');
}

describe('verifyImapLogin against a real Dovecot', () => {
  it('accepts the right password', async () => {
    expect(await verifyImapLogin(login(), { allowPrivateHosts: true })).toEqual({ ok: true });
  });

  it('accepts a name that resolves to loopback when private hosts are allowed', async () => {
    expect(await verifyImapLogin(login({ server: 'localhost' }), { allowPrivateHosts: true })).toEqual({ ok: true });
  });

  it('reports a wrong password as auth_failed', async () => {
    const result = await verifyImapLogin(login({ password: 'wrong horse' }), { allowPrivateHosts: true });
    await expectFailure(result, 'auth_failed');
    expect(result).toEqual({
      ok: false,
      failure: 'auth_failed',
      message: 'The mail server did not accept this username and password.',
    });
  });

  it('reports an unknown user as auth_failed too', async () => {
    const result = await verifyImapLogin(login({ username: 'nobody@mailport.test' }), { allowPrivateHosts: true });
    await expectFailure(result, 'auth_failed');
  });

  it('reports a login name that looks like a path or a variable as auth_failed', async () => {
    for (const username of ['../../etc/passwd', 'a/b@mailport.test', '%u%d@x']) {
      await expectFailure(await verifyImapLogin(login({ username }), { allowPrivateHosts: true }), 'auth_failed');
    }
  });

  // The test server's fixture: a mailbox added right after another one's login can sign in at once
  // (a shared passwd file was looked at once a second, and such a login was refused now and then).
  it('accepts a user added within the same second as another login', async () => {
    for (let i = 0; i < 5; i++) {
      const added = { username: `added-${i}@mailport.test`, password: `added-${i}-password` };
      await dovecot.addUser(added.username, added.password);
      expect(await verifyImapLogin(login(added), { allowPrivateHosts: true }), added.username).toEqual({ ok: true });
    }
  });

  // The fixture again: test files share processes, and one that opened the embedded database left the
  // process's umask at 077, which made a new user's passwd file unreadable to Dovecot (every right password refused).
  it('accepts a user added while the process umask is 077', async () => {
    const added = { username: 'umask@mailport.test', password: 'umask-password' };
    const previous = process.umask(0o077);
    try {
      await dovecot.addUser(added.username, added.password);
    } finally {
      process.umask(previous);
    }
    expect(await verifyImapLogin(login(added), { allowPrivateHosts: true })).toEqual({ ok: true });
  });

  it('reports STARTTLS on a server that does not offer it as tls_failed, without sending the password', async () => {
    // Dovecot runs with ssl = no, so its CAPABILITY has no STARTTLS; a required upgrade must stop before LOGIN.
    const result = await verifyImapLogin(login({ tlsMode: 'STARTTLS' }), { allowPrivateHosts: true });
    await expectFailure(result, 'tls_failed');
  });

  it('reports implicit TLS against the plain IMAP port as tls_failed', async () => {
    // Our ClientHello reaches a server that speaks plain IMAP: it answers with its text greeting,
    // which OpenSSL rejects as a bad record (ERR_SSL_WRONG_VERSION_NUMBER), a TLS-layer error.
    const result = await verifyImapLogin(login({ tlsMode: 'TLS' }), { allowPrivateHosts: true, timeoutMs: 4000 });
    await expectFailure(result, 'tls_failed');
  });
});

describe('verifyImapLogin network failures', () => {
  it('reports a name that does not resolve as unknown_host, quickly', async () => {
    const started = Date.now();
    const result = await verifyImapLogin(login({ server: 'no-such-host.invalid' }), { allowPrivateHosts: true });
    await expectFailure(result, 'unknown_host');
    expect(result).toMatchObject({ message: expect.stringContaining('no-such-host.invalid') });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a closed port as connection_refused', async () => {
    const result = await verifyImapLogin(login({ port: closedPort }), { allowPrivateHosts: true });
    await expectFailure(result, 'connection_refused');
  });

  it('gives up on a server that accepts and never greets', async () => {
    const started = Date.now();
    const result = await verifyImapLogin(login({ port: silentPort }), { allowPrivateHosts: true, timeoutMs: 1500 });
    const elapsed = Date.now() - started;
    await expectFailure(result, 'timeout');
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2500);
  });

  it('refuses a self-signed certificate, sending the server name (not the IP) for SNI', async () => {
    const result = await verifyImapLogin(login({ server: 'localhost', port: selfSignedPort, tlsMode: 'TLS' }), {
      allowPrivateHosts: true,
      timeoutMs: 4000,
    });
    await expectFailure(result, 'tls_failed');
    expect(seen.sniNames).toContain('localhost');
  });

  it('refuses a self-signed certificate after STARTTLS as well', async () => {
    const result = await verifyImapLogin(login({ server: 'localhost', port: startTlsPort, tlsMode: 'STARTTLS' }), {
      allowPrivateHosts: true,
      timeoutMs: 4000,
    });
    await expectFailure(result, 'tls_failed');
    expect(seen.sniNames).toContain('starttls:localhost');
  });

  it('refuses loopback before connecting when private hosts are not allowed', async () => {
    const before = seen.silentConnections;
    for (const server of ['127.0.0.1', 'localhost', '[::1]']) {
      const result = await verifyImapLogin(login({ server, port: silentPort }), { allowPrivateHosts: false });
      await expectFailure(result, 'private_address');
      expect(result).toMatchObject({
        message: `${server} points to a private or local network address, which is not allowed.`,
      });
    }
    expect(seen.silentConnections).toBe(before);
  });
});

describe('classifyImapError', () => {
  const plain = { secure: false, loginDisabled: false };
  const tls = { secure: true, loginDisabled: false };

  it('decides on imapflow flags and Node codes, not on message text', () => {
    expect(classifyImapError({ authenticationFailed: true }, plain)).toBe('auth_failed');
    expect(classifyImapError({ tlsFailed: true, code: 'ECONNRESET' }, plain)).toBe('tls_failed');
    expect(classifyImapError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, tls)).toBe('tls_failed');
    expect(classifyImapError({ code: 'CERT_HAS_EXPIRED' }, tls)).toBe('tls_failed');
    expect(classifyImapError({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, tls)).toBe('tls_failed');
    expect(classifyImapError({ code: 'GREETING_TIMEOUT' }, plain)).toBe('timeout');
    expect(classifyImapError({ code: 'CONNECT_TIMEOUT' }, tls)).toBe('timeout');
    expect(classifyImapError({ code: 'EAI_AGAIN' }, plain)).toBe('unknown_host');
    expect(classifyImapError({ code: 'ENETUNREACH' }, plain)).toBe('connection_refused');
    expect(classifyImapError({ message: 'certificate problem' }, plain)).toBe('protocol_error');
    expect(classifyImapError(null, plain)).toBe('protocol_error');
  });

  it('blames TLS for a reset during an implicit-TLS handshake only', () => {
    expect(classifyImapError({ code: 'ECONNRESET' }, tls)).toBe('tls_failed');
    expect(classifyImapError({ code: 'ECONNRESET' }, plain)).toBe('protocol_error');
  });

  it('reports LOGINDISABLED on a plain connection as a TLS problem, not a wrong password', () => {
    expect(classifyImapError({ authenticationFailed: true }, { secure: false, loginDisabled: true })).toBe(
      'tls_failed',
    );
  });
});
