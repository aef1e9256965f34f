import { Resolver } from 'node:dns/promises';
import { getPublicHttpsText, type PublicHttpsGetOptions } from '@/lib/network/https-get';
import type { TlsMode } from '@/lib/sources/schema';
import { findAutoconfig } from './autoconfig';
import { findProviderByDomain, findProviderByMxHost, type Provider } from './providers';
import { mailboxAddress } from './schema';

/**
 * Finds a mailbox's IMAP settings from its address, cheapest first: the bundled
 * provider table, the domain's autoconfig document, its MX hosts (custom domains
 * hosted by Google, Microsoft, …), then a guess. Every network step is bounded,
 * so a domain that does not answer costs a few seconds, never minutes.
 */

export type SettingsSource = 'providers' | 'autoconfig' | 'mx' | 'guess';

export interface DiscoveredSettings {
  provider?: string;
  providerName?: string;
  server: string;
  port: number;
  tlsMode: TlsMode;
  username: string;
  oauth: false;
  appPassword: boolean;
  notes?: string[];
  source: SettingsSource;
}

/** A provider known to have no IMAP that we can reach (Proton, Tuta): guessing would only mislead. */
export interface UnsupportedProvider {
  provider: string;
  providerName: string;
  notes: string[];
}

export type DiscoveryResult =
  | { found: true; settings: DiscoveredSettings }
  | { found: false; unsupported?: UnsupportedProvider };

/** Every network access discovery makes; injected so tests can stand in for DNS and the web. */
export interface DiscoveryDeps {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  /**
   * The body of a 2xx https answer, or null for anything else; never throws.
   * `takeProbe` is asked before every request it makes, redirect hops included.
   */
  fetchText(url: string, options: { timeoutMs: number; takeProbe: TakeProbe }): Promise<string | null>;
}

/** One outbound probe from the caller's budget; false when it is spent (then no request is made). */
export type TakeProbe = () => Promise<boolean>;

export interface DiscoveryOptions {
  /** Bound on each network step (DNS, each autoconfig fetch); they run concurrently. */
  stepTimeoutMs?: number;
  /** The caller's probe budget (the connect flow's, per token); unlimited when not given. */
  takeProbe?: TakeProbe;
}

export const DEFAULT_STEP_TIMEOUT_MS = 2500;
const MAX_DOCUMENT_BYTES = 64 * 1024;
/** Autoconfig hosts redirect once or twice at most (http→https, apex→www); more is a loop or a game. */
export const MAX_REDIRECTS = 2;
const unlimited: TakeProbe = async () => true;

export async function discoverImapSettings(
  email: string,
  // Callers pass the config's choice; without one, private hosts stay refused.
  deps: DiscoveryDeps = networkDiscoveryDeps({ allowPrivateHosts: false }),
  options: DiscoveryOptions = {},
): Promise<DiscoveryResult> {
  const parsed = mailboxAddress.safeParse(email);
  if (!parsed.success) return { found: false };
  const at = parsed.data.lastIndexOf('@');
  const localPart = parsed.data.slice(0, at);
  const domain = parsed.data.slice(at + 1).toLowerCase();
  // Local parts can be case-sensitive on the server; only the domain is normalised.
  const address = `${localPart}@${domain}`;
  const stepTimeoutMs = options.stepTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
  const takeProbe = options.takeProbe ?? unlimited;

  const known = findProviderByDomain(domain);
  if (known) return fromProvider(known, address, 'providers');

  // Autoconfig and MX do not depend on each other: ask both at once, prefer autoconfig.
  const [autoconfig, mxHosts] = await Promise.all([
    findAutoconfig(address, (url) =>
      settleWithin(() => deps.fetchText(url, { timeoutMs: stepTimeoutMs, takeProbe }), stepTimeoutMs, null),
    ),
    // The MX query is a probe too: once the budget is spent, discovery makes no network access at all.
    settleWithin(async () => ((await takeProbe()) ? deps.resolveMx(domain) : []), stepTimeoutMs, []),
  ]);
  if (autoconfig) {
    return { found: true, settings: { ...autoconfig, oauth: false, appPassword: false, source: 'autoconfig' } };
  }

  const byPreference = [...mxHosts].sort((a, b) => a.priority - b.priority);
  for (const mx of byPreference) {
    const hosting = findProviderByMxHost(mx.exchange);
    if (hosting) return fromProvider(hosting, address, 'mx');
  }
  return {
    found: true,
    settings: {
      server: guessImapHost(domain, byPreference[0]?.exchange),
      port: 993,
      tlsMode: 'TLS',
      username: address,
      oauth: false,
      appPassword: false,
      source: 'guess',
    },
  };
}

function fromProvider(provider: Provider, email: string, source: 'providers' | 'mx'): DiscoveryResult {
  if (!provider.imap) {
    return {
      found: false,
      unsupported: { provider: provider.key, providerName: provider.name, notes: [...provider.notes] },
    };
  }
  const notes = provider.notes.length > 0 ? { notes: [...provider.notes] } : {};
  return {
    found: true,
    settings: {
      provider: provider.key,
      providerName: provider.name,
      server: provider.imap.server,
      port: provider.imap.port,
      tlsMode: provider.imap.tlsMode,
      username: provider.imap.username === 'email' ? email : email.slice(0, email.lastIndexOf('@')),
      oauth: false,
      appPassword: provider.appPassword,
      ...notes,
      source,
    },
  };
}

/**
 * imap.<domain>, unless the primary MX is mail.<domain>: cPanel and most
 * self-hosted servers publish that one name for both SMTP and IMAP.
 */
function guessImapHost(domain: string, primaryMx: string | undefined): string {
  const mxHost = primaryMx?.toLowerCase().replace(/\.$/, '');
  return mxHost === `mail.${domain}` ? mxHost : `imap.${domain}`;
}

/** `fallback` after `timeoutMs`, or if the step throws or rejects: a step can only ever cost its time limit. */
function settleWithin<T>(step: () => Promise<T>, timeoutMs: number, fallback: T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve) => {
    timer = setTimeout(() => resolve(fallback), timeoutMs);
  });
  const attempt = Promise.resolve()
    .then(step)
    .catch(() => fallback);
  return Promise.race([attempt, deadline]).finally(() => clearTimeout(timer));
}

/** How the real network layer may reach out; the guard's settings come from the config. */
export type NetworkDiscoveryOptions = Pick<PublicHttpsGetOptions, 'allowPrivateHosts' | 'resolve' | 'connectTo' | 'ca'>;

/**
 * The real network. DNS gets one try per name server and a short timeout of its
 * own, so machines without outside DNS fail fast instead of retrying for ~20 s.
 * A fresh Resolver per lookup, since cancel() would cancel every query on it.
 * Autoconfig documents come through the SSRF guard (lib/network/https-get.ts).
 */
export function networkDiscoveryDeps(options: NetworkDiscoveryOptions): DiscoveryDeps {
  return {
    resolveMx: async (domain) => {
      const resolver = new Resolver({ timeout: DEFAULT_STEP_TIMEOUT_MS, tries: 1 });
      return resolver.resolveMx(domain);
    },
    fetchText: (url, { timeoutMs, takeProbe }) =>
      getPublicHttpsText(url, {
        ...options,
        timeoutMs,
        takeProbe,
        maxBytes: MAX_DOCUMENT_BYTES,
        maxRedirects: MAX_REDIRECTS,
        accept: 'application/xml, text/xml;q=0.9, */*;q=0.1',
      }),
  };
}
