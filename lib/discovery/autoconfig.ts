import { XMLParser } from 'fast-xml-parser';
import type { TlsMode } from '@/lib/sources/schema';

/**
 * Thunderbird autoconfig (`config-v1.1.xml`, the ISPDB format), as a domain
 * publishes it at autoconfig.<domain> or <domain>/.well-known/autoconfig. We
 * take the best IMAP server it lists: implicit TLS, then STARTTLS, then plain.
 * The documents come from whoever controls the domain: parse defensively.
 */

export interface AutoconfigImap {
  server: string;
  port: number;
  tlsMode: TlsMode;
  username: string;
}

/** Fetches one document, already bounded in time by the caller; null when there is none. */
export type FetchDocument = (url: string) => Promise<string | null>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  trimValues: true,
  // Entities are never needed for host names; expanding them invites entity bombs.
  processEntities: false,
});

type XmlNode = Record<string, unknown>;

const asArray = (value: unknown): unknown[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const isNode = (value: unknown): value is XmlNode => typeof value === 'object' && value !== null;
const textOf = (value: unknown): string =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : '';

// socketType values of the format; "TLS" is an old synonym for SSL in some documents.
const TLS_MODE_BY_SOCKET_TYPE: Record<string, TlsMode> = {
  SSL: 'TLS',
  TLS: 'TLS',
  STARTTLS: 'STARTTLS',
  PLAIN: 'NONE',
};
const TLS_PREFERENCE: TlsMode[] = ['TLS', 'STARTTLS', 'NONE'];
// A DNS name whose last label has a letter: an IP address is not a usable answer.
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+(?=[a-z0-9-]*[a-z])[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function autoconfigUrls(email: string): string[] {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const query = `emailaddress=${encodeURIComponent(email)}`;
  return [
    `https://autoconfig.${domain}/mail/config-v1.1.xml?${query}`,
    `https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml?${query}`,
  ];
}

/** The best IMAP server in a config-v1.1.xml document, placeholders filled in; null for anything unusable. */
export function parseAutoconfig(xml: string, email: string): AutoconfigImap | null {
  let document: unknown;
  try {
    document = parser.parse(xml);
  } catch {
    return null;
  }
  const at = email.lastIndexOf('@');
  const fill = (template: string) =>
    template
      .replaceAll('%EMAILADDRESS%', email)
      .replaceAll('%EMAILLOCALPART%', email.slice(0, at))
      .replaceAll('%EMAILDOMAIN%', email.slice(at + 1));

  const clientConfig = isNode(document) ? document.clientConfig : undefined;
  const providers = isNode(clientConfig) ? asArray(clientConfig.emailProvider).filter(isNode) : [];
  const candidates: AutoconfigImap[] = [];
  for (const server of providers.flatMap((provider) => asArray(provider.incomingServer))) {
    if (!isNode(server) || server['@type'] !== 'imap') continue;
    const hostname = fill(textOf(server.hostname)).trim().toLowerCase();
    const port = Number(textOf(server.port));
    const tlsMode = TLS_MODE_BY_SOCKET_TYPE[textOf(server.socketType).trim().toUpperCase()];
    const username = fill(textOf(server.username) || '%EMAILADDRESS%').trim();
    if (!HOSTNAME.test(hostname) || !Number.isInteger(port) || port < 1 || port > 65535 || !tlsMode) continue;
    candidates.push({ server: hostname, port, tlsMode, username: username || email });
  }
  // A stable sort keeps the document's order among servers of equal security.
  candidates.sort((a, b) => TLS_PREFERENCE.indexOf(a.tlsMode) - TLS_PREFERENCE.indexOf(b.tlsMode));
  return candidates[0] ?? null;
}

/**
 * Both locations are asked at once; the first usable answer in URL order wins,
 * so a fast .well-known answer still waits for autoconfig.<domain> to fail.
 */
export async function findAutoconfig(email: string, fetchDocument: FetchDocument): Promise<AutoconfigImap | null> {
  const attempts = autoconfigUrls(email).map((url) =>
    fetchDocument(url).then(
      (xml) => (xml ? parseAutoconfig(xml, email) : null),
      () => null,
    ),
  );
  for (const attempt of attempts) {
    const found = await attempt;
    if (found) return found;
  }
  return null;
}
