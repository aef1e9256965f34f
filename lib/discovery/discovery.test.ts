import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type LocalHttpsServer, startLocalHttpsServer } from '@/e2e/fixtures/https';
import { describeZodError } from '@/lib/validation/zod-errors';
import { parseAutoconfig } from './autoconfig';
import { type DiscoveryDeps, discoverImapSettings, networkDiscoveryDeps } from './discover';
import { PROVIDERS } from './providers';
import { discoveryInput, discoveryJson } from './schema';
import { serializeDiscovery } from './serialize';

/** As published by a hosting company: POP3 first, STARTTLS before SSL, placeholders in names. */
const AUTOCONFIG = `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>Example Mail</displayName>
    <incomingServer type="pop3">
      <hostname>pop.example.org</hostname>
      <port>995</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>mail.%EMAILDOMAIN%</hostname>
      <port>143</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILLOCALPART%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <incomingServer type="imap">
      <hostname>imap.%EMAILDOMAIN%</hostname>
      <port>993</port>
      <socketType>SSL</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </incomingServer>
    <outgoingServer type="smtp">
      <hostname>smtp.example.org</hostname>
      <port>587</port>
      <socketType>STARTTLS</socketType>
      <username>%EMAILADDRESS%</username>
    </outgoingServer>
    <documentation url="https://example.org/help/mail"><descr lang="en">Setup</descr></documentation>
  </emailProvider>
</clientConfig>`;

const STARTTLS_ONLY = `<clientConfig version="1.1"><emailProvider id="x">
  <incomingServer type="imap"><hostname>mx.%EMAILDOMAIN%</hostname><port>143</port>
  <socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username></incomingServer>
</emailProvider></clientConfig>`;

const NEVER = () => new Promise<never>(() => {});

/**
 * A fake network: documents by URL prefix and MX answers by domain; an unknown
 * name fails as DNS does, and `hang` lists URL prefixes or domains that never answer.
 */
function fakeNetwork(world: { documents?: Record<string, string>; mx?: Record<string, string[]>; hang?: string[] }) {
  const requested: string[] = [];
  const hangs = (name: string) => (world.hang ?? []).some((prefix) => name.startsWith(prefix));
  const deps: DiscoveryDeps = {
    resolveMx: async (domain) => {
      requested.push(`mx:${domain}`);
      if (hangs(domain)) return NEVER();
      const hosts = world.mx?.[domain];
      if (!hosts) throw Object.assign(new Error(`queryMx ENOTFOUND ${domain}`), { code: 'ENOTFOUND' });
      // Priorities descending, so the code has to sort them.
      return hosts.map((exchange, index) => ({ exchange, priority: (index + 1) * 10 })).reverse();
    },
    fetchText: async (url) => {
      requested.push(url);
      if (hangs(url)) return NEVER();
      return Object.entries(world.documents ?? {}).find(([prefix]) => url.startsWith(prefix))?.[1] ?? null;
    },
  };
  return { deps, requested };
}

describe('the provider table', () => {
  it('answers for well-known domains without touching the network', async () => {
    const { deps, requested } = fakeNetwork({});
    expect(await discoverImapSettings(' Jane.Doe@GMail.com ', deps)).toEqual({
      found: true,
      settings: {
        provider: 'gmail',
        providerName: 'Gmail',
        server: 'imap.gmail.com',
        port: 993,
        tlsMode: 'TLS',
        username: 'Jane.Doe@gmail.com',
        oauth: false,
        appPassword: true,
        notes: [expect.stringContaining('myaccount.google.com/apppasswords')],
        source: 'providers',
      },
    });
    for (const [email, server] of [
      ['a@googlemail.com', 'imap.gmail.com'],
      ['a@hotmail.com', 'outlook.office365.com'],
      ['a@live.fr', 'outlook.office365.com'],
      ['a@yahoo.co.uk', 'imap.mail.yahoo.com'],
      ['a@me.com', 'imap.mail.me.com'],
      ['a@aol.com', 'imap.aol.com'],
      ['a@fastmail.fm', 'imap.fastmail.com'],
      ['a@zohomail.com', 'imap.zoho.com'],
      ['a@gmx.com', 'imap.gmx.com'],
      ['a@gmx.de', 'imap.gmx.net'],
      ['a@web.de', 'imap.web.de'],
      ['a@yandex.ru', 'imap.yandex.com'],
      ['a@orange.fr', 'imap.orange.fr'],
    ]) {
      const result = await discoverImapSettings(email ?? '', deps);
      expect(result.found && result.settings.server, email).toBe(server);
    }
    expect(requested).toEqual([]);
  });

  it('says so for providers without reachable IMAP instead of guessing', async () => {
    const { deps, requested } = fakeNetwork({ mx: { 'privacy.example': ['mail.protonmail.ch'] } });
    expect(await discoverImapSettings('a@proton.me', deps)).toEqual({
      found: false,
      unsupported: { provider: 'proton', providerName: 'Proton Mail', notes: [expect.stringContaining('Bridge')] },
    });
    expect(requested).toEqual([]);
    const hosted = await discoverImapSettings('a@privacy.example', deps);
    expect(!hosted.found && hosted.unsupported?.provider).toBe('proton');
  });

  it('is consistent: lower-case names, each domain in one entry, IMAP on a real port', () => {
    const domains = PROVIDERS.flatMap((provider) => provider.domains);
    expect(new Set(domains).size).toBe(domains.length);
    for (const provider of PROVIDERS) {
      for (const name of [...provider.domains, ...provider.mxSuffixes, provider.imap?.server ?? 'x.y']) {
        expect(name).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      }
      if (provider.imap) expect([993, 143]).toContain(provider.imap.port);
      else expect(provider.notes.length).toBeGreaterThan(0);
    }
  });
});

describe('MX hosts', () => {
  it('recognise Google Workspace and Microsoft 365 domains, the preferred MX first', async () => {
    const { deps } = fakeNetwork({
      mx: {
        'acme.com': ['aspmx.l.google.com.', 'alt1.aspmx.l.google.com.'],
        'contoso.com': ['contoso-com.mail.protection.outlook.com', 'backup.mailhop.example'],
        'both.example': ['both-example.mail.protection.outlook.com', 'aspmx.l.google.com'],
      },
    });
    expect(await discoverImapSettings('ceo@acme.com', deps)).toEqual({
      found: true,
      settings: expect.objectContaining({
        provider: 'gmail',
        providerName: 'Google Workspace',
        server: 'imap.gmail.com',
        username: 'ceo@acme.com',
        source: 'mx',
      }),
    });
    const microsoft = await discoverImapSettings('cfo@contoso.com', deps);
    expect(microsoft.found && microsoft.settings).toMatchObject({
      provider: 'outlook',
      providerName: 'Microsoft 365',
      server: 'outlook.office365.com',
      source: 'mx',
    });
    const both = await discoverImapSettings('x@both.example', deps);
    expect(both.found && both.settings.provider).toBe('outlook');
  });

  it('only match whole labels', async () => {
    const { deps } = fakeNetwork({ mx: { 'lookalike.example': ['mx.notgoogle.com'] } });
    const result = await discoverImapSettings('a@lookalike.example', deps);
    expect(result.found && result.settings.source).toBe('guess');
  });
});

describe('autoconfig', () => {
  it('reads autoconfig.<domain>, preferring implicit TLS, with placeholders filled in', async () => {
    const { deps, requested } = fakeNetwork({
      documents: { 'https://autoconfig.example.org/': AUTOCONFIG },
      // Autoconfig outranks what the MX suggests.
      mx: { 'example.org': ['aspmx.l.google.com'] },
    });
    const result = await discoverImapSettings('jane+news@example.org', deps);
    expect(result).toEqual({
      found: true,
      settings: {
        server: 'imap.example.org',
        port: 993,
        tlsMode: 'TLS',
        username: 'jane+news@example.org',
        oauth: false,
        appPassword: false,
        source: 'autoconfig',
      },
    });
    expect(requested).toContain(
      'https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=jane%2Bnews%40example.org',
    );
    expect(requested).toContain(
      'https://example.org/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=jane%2Bnews%40example.org',
    );
  });

  it('falls back to .well-known when autoconfig.<domain> has nothing usable', async () => {
    const wellKnown = { 'https://example.net/.well-known/autoconfig/': STARTTLS_ONLY };
    for (const first of [null, '<clientConfig><emailProvider', '<html><body>Not found</body></html>']) {
      const documents: Record<string, string> = { ...wellKnown };
      if (first !== null) documents['https://autoconfig.example.net/'] = first;
      const result = await discoverImapSettings('bob@example.net', fakeNetwork({ documents }).deps);
      expect(result.found && result.settings).toMatchObject({
        server: 'mx.example.net',
        port: 143,
        tlsMode: 'STARTTLS',
        username: 'bob',
        source: 'autoconfig',
      });
    }
  });

  it('parses defensively and never throws', () => {
    const imap = (inner: string) =>
      `<clientConfig><emailProvider><incomingServer type="imap">${inner}</incomingServer></emailProvider></clientConfig>`;
    for (const bad of [
      '',
      '<<<',
      'not xml at all',
      '<clientConfig/>',
      '<clientConfig><emailProvider/></clientConfig>',
      imap('<hostname>bad host!</hostname><port>993</port><socketType>SSL</socketType>'),
      imap('<hostname>127.0.0.1</hostname><port>993</port><socketType>SSL</socketType>'),
      imap('<hostname>imap.example.org</hostname><port>99999</port><socketType>SSL</socketType>'),
      imap('<hostname>imap.example.org</hostname><port>993</port><socketType>QUANTUM</socketType>'),
      imap('<hostname><a>nested</a></hostname><port>993</port><socketType>SSL</socketType>'),
      '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><clientConfig>&b;</clientConfig>',
    ]) {
      expect(parseAutoconfig(bad, 'a@example.org'), bad).toBeNull();
    }
    // Several emailProvider elements: the best IMAP server of any of them.
    const two = `<clientConfig><emailProvider>${imap('')}</emailProvider><emailProvider><incomingServer type="imap"><hostname>IMAP.Example.org</hostname><port>993</port><socketType>SSL</socketType></incomingServer></emailProvider></clientConfig>`;
    expect(parseAutoconfig(two, 'a@example.org')).toEqual({
      server: 'imap.example.org',
      port: 993,
      tlsMode: 'TLS',
      username: 'a@example.org',
    });
  });
});

describe('time limits and guesses', () => {
  it('guesses imap.<domain> when nothing answers, within the step timeout', async () => {
    const { deps } = fakeNetwork({ hang: ['https://', 'slow.example'] });
    const started = Date.now();
    const result = await discoverImapSettings('x@slow.example', deps, { stepTimeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result).toEqual({
      found: true,
      settings: {
        server: 'imap.slow.example',
        port: 993,
        tlsMode: 'TLS',
        username: 'x@slow.example',
        oauth: false,
        appPassword: false,
        source: 'guess',
      },
    });
  });

  it('still uses .well-known when autoconfig.<domain> hangs', async () => {
    const { deps } = fakeNetwork({
      hang: ['https://autoconfig.'],
      documents: { 'https://example.com/.well-known/': AUTOCONFIG },
    });
    const started = Date.now();
    const result = await discoverImapSettings('a@example.com', deps, { stepTimeoutMs: 100 });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(result.found && result.settings).toMatchObject({ server: 'imap.example.com', source: 'autoconfig' });
  });

  it('guesses mail.<domain> when that is the primary MX, as on cPanel hosting', async () => {
    const { deps } = fakeNetwork({ mx: { 'shop.example': ['mail.shop.example.', 'backup.isp.example'] } });
    const result = await discoverImapSettings('orders@shop.example', deps);
    expect(result.found && result.settings).toMatchObject({ server: 'mail.shop.example', source: 'guess' });
  });

  it('finds nothing for what is not an email address, without touching the network', async () => {
    const { deps, requested } = fakeNetwork({});
    for (const notEmail of ['', 'not-an-email', 'a@b', 'a@127.0.0.1', 'a@[10.0.0.1]', '@example.com', 'a b@x.com']) {
      expect(await discoverImapSettings(notEmail, deps), notEmail).toEqual({ found: false });
    }
    expect(requested).toEqual([]);
  });
});

describe('the API', () => {
  it("answers in Context.IO's discovery shape", async () => {
    const { deps } = fakeNetwork({ documents: { 'https://example.net/.well-known/': STARTTLS_ONLY } });
    const gmail = serializeDiscovery('a@gmail.com', await discoverImapSettings('a@gmail.com', deps));
    expect(gmail).toEqual({
      email: 'a@gmail.com',
      found: true,
      type: 'gmail',
      imap: { server: 'imap.gmail.com', username: 'a@gmail.com', port: 993, use_ssl: true, oauth: false },
      documentation: [],
    });
    const custom = serializeDiscovery('b@example.net', await discoverImapSettings('b@example.net', deps));
    expect(custom).toEqual({
      email: 'b@example.net',
      found: true,
      type: 'imap',
      imap: { server: 'mx.example.net', username: 'b', port: 143, use_ssl: false, oauth: false },
      documentation: [],
    });
    // A guess or an unsupported provider is not a finding.
    const guess = serializeDiscovery('x@nowhere.example', await discoverImapSettings('x@nowhere.example', deps));
    expect(guess).toEqual({ email: 'x@nowhere.example', found: false });
    const proton = serializeDiscovery('x@pm.me', await discoverImapSettings('x@pm.me', deps));
    expect(proton).toEqual({ email: 'x@pm.me', found: false });
    for (const body of [gmail, custom, guess]) expect(discoveryJson.parse(body)).toEqual(body);
  });

  it('takes source_type IMAP in any case, and names a bad parameter', () => {
    expect(discoveryInput.parse({ email: ' a@example.com ' })).toEqual({ email: 'a@example.com' });
    expect(discoveryInput.parse({ source_type: 'imap', email: 'a@example.com' }).source_type).toBe('IMAP');
    expect(discoveryInput.parse({ source_type: '', email: 'a@example.com' }).source_type).toBeUndefined();
    const errorFor = (raw: Record<string, unknown>) => {
      const parsed = discoveryInput.safeParse(raw);
      return parsed.success ? 'ok' : describeZodError(parsed.error, 'parameter', raw);
    };
    expect(errorFor({ source_type: 'POP3', email: 'a@example.com' })).toBe(
      'invalid parameter source_type: expected IMAP',
    );
    expect(errorFor({})).toBe('missing required parameter email');
    expect(errorFor({ email: 'nope' })).toMatch(/^invalid parameter email: /);
  });
});

describe('the real network layer', () => {
  let server: LocalHttpsServer;
  beforeAll(async () => {
    server = await startLocalHttpsServer(['acme.example', '*.acme.example'], (request, response) => {
      if (request.url?.startsWith('/mail/config-v1.1.xml')) response.writeHead(200).end(AUTOCONFIG);
      else response.writeHead(404).end();
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Real HTTPS to the local server: every name resolves to 127.0.0.1, and no MX (no outside DNS). */
  const localNetwork = (allowPrivateHosts: boolean): DiscoveryDeps => ({
    ...networkDiscoveryDeps({
      allowPrivateHosts,
      resolve: async () => [{ address: '127.0.0.1', family: 4 }],
      connectTo: (address) => ({ address, port: server.port }),
      ca: server.ca,
    }),
    resolveMx: async () => [],
  });

  it('refuses plain http without a request', async () => {
    const deps = networkDiscoveryDeps({ allowPrivateHosts: true });
    const takeProbe = vi.fn(async () => true);
    expect(await deps.fetchText('http://example.com/mail/config-v1.1.xml', { timeoutMs: 50, takeProbe })).toBeNull();
    expect(takeProbe).not.toHaveBeenCalled();
  });

  it('does not fetch autoconfig from a private address unless private hosts are allowed', async () => {
    server.seen.length = 0;
    const refused = await discoverImapSettings('jane@acme.example', localNetwork(false));
    expect(refused.found && refused.settings).toMatchObject({ server: 'imap.acme.example', source: 'guess' });
    expect(server.seen).toEqual([]);

    const allowed = await discoverImapSettings('jane@acme.example', localNetwork(true));
    expect(allowed.found && allowed.settings).toMatchObject({ server: 'imap.acme.example', source: 'autoconfig' });
    // The .well-known request may still be under way when the first answer wins.
    expect(server.seen.map((seen) => seen.host)).toContain('autoconfig.acme.example');
  });

  it('spends a probe on the MX query and each request, and goes without network once they are spent', async () => {
    server.seen.length = 0;
    let probes = 0;
    const counted = async () => {
      probes += 1;
      return true;
    };
    await discoverImapSettings('jane@acme.example', localNetwork(true), { takeProbe: counted });
    expect(probes).toBe(3); // MX + two autoconfig locations
    await vi.waitFor(() => expect(server.seen).toHaveLength(2));
    const mx = vi.fn(async () => []);
    const none = await discoverImapSettings(
      'jane@acme.example',
      { ...localNetwork(true), resolveMx: mx },
      { takeProbe: async () => false },
    );
    expect(none.found && none.settings.source).toBe('guess');
    expect(mx).not.toHaveBeenCalled();
    expect(server.seen).toHaveLength(2); // only the first run's two requests
  });

  // Build machines have no outside DNS: this must fail fast and fall back to a guess.
  it('fails fast for a domain that does not exist', { timeout: 15_000 }, async () => {
    const started = Date.now();
    const result = await discoverImapSettings('a@no-such-domain.invalid');
    expect(Date.now() - started).toBeLessThan(6000);
    expect(result.found && result.settings).toMatchObject({ server: 'imap.no-such-domain.invalid', source: 'guess' });
  });
});
