import { getDb } from '@/lib/db/client';
import { discoverImapSettings, networkDiscoveryDeps } from '@/lib/discovery/discover';
import { getConfig } from '@/lib/env';
import { verifyImapLogin } from '@/lib/imap/verify';
import { queueSourceSync } from '@/lib/mailbox-sync/mutations';
import type { ConnectFlowDeps } from './mutations';

/** The real world: settings discovery over DNS/HTTP, a live IMAP login, the job queue. */
export function defaultConnectFlowDeps(): ConnectFlowDeps {
  const { allowPrivateHosts } = getConfig();
  return {
    discover: async (email, { takeProbe }) => {
      const result = await discoverImapSettings(email, networkDiscoveryDeps({ allowPrivateHosts }), { takeProbe });
      if (result.found) return { found: true, settings: result.settings };
      return result.unsupported ? { found: false, provider: result.unsupported.provider } : { found: false };
    },
    verify: (login) => verifyImapLogin(login, { allowPrivateHosts }),
    startSync: async (sourceId) => {
      await queueSourceSync(await getDb(), sourceId);
    },
  };
}
