import type { DiscoveryResult } from './discover';
import type { DiscoveryJson } from './schema';

/**
 * Context.IO's discovery answer (spec §11). A guess is not a finding: the API
 * says found: false for it, while the connect pages still offer it to edit.
 */
export function serializeDiscovery(email: string, result: DiscoveryResult): DiscoveryJson {
  if (!result.found || result.settings.source === 'guess') return { email, found: false };
  const { settings } = result;
  return {
    email,
    found: true,
    type: settings.provider ?? 'imap',
    imap: {
      server: settings.server,
      username: settings.username,
      port: settings.port,
      use_ssl: settings.tlsMode === 'TLS',
      oauth: false,
    },
    documentation: [],
  };
}
