import type { Db } from '@/lib/db/client';
import { type CompleteConnectionDeps, completeConnection, createConnectToken } from './mutations';
import { createConnectTokenInput } from './schema';

/** A mailbox on a local, plain-IMAP test server (the Dovecot fixture). */
export interface LocalMailbox {
  email: string;
  /** The IMAP login; the email when not given. */
  username?: string;
  port: number;
  /** A password source, unless `oauth` makes it an OAuth2 one. */
  password?: string;
  oauth?: { providerId: string; refreshToken: string; accessToken: string; accessTokenExpiresAt: Date };
}

/** Tests and the bench run syncs themselves, so by default connecting queues none. */
const noSync: CompleteConnectionDeps = { startSync: async () => {} };

/**
 * Tests and the bench: connects a mailbox through a new top-level token, as the
 * connect pages do once the password is proven (completeConnection), without a browser.
 */
export async function connectLocalMailbox(
  db: Db,
  developerId: string,
  mailbox: LocalMailbox,
  tokenOptions: Record<string, string> = {},
  now = new Date(),
  deps: CompleteConnectionDeps = noSync,
) {
  const created = await createConnectToken(
    db,
    developerId,
    { level: 'top' },
    createConnectTokenInput.parse({ callback_url: 'https://partner.example.com/done', ...tokenOptions }),
    now,
    // Tests and the bench send callbacks to receivers on this machine.
    { allowPrivateHosts: true },
  );
  if (!created.ok) throw new Error(created.reason);
  const redeemed = await completeConnection(
    db,
    created.token,
    {
      mailbox: {
        email: mailbox.email,
        server: '127.0.0.1',
        port: mailbox.port,
        tlsMode: 'NONE',
        username: mailbox.username ?? mailbox.email,
        ...(mailbox.oauth
          ? {
              authenticationType: 'oauth2' as const,
              secret: mailbox.oauth.refreshToken,
              oauth: {
                providerId: mailbox.oauth.providerId,
                accessToken: mailbox.oauth.accessToken,
                accessTokenExpiresAt: mailbox.oauth.accessTokenExpiresAt,
              },
            }
          : { authenticationType: 'password' as const, secret: mailbox.password ?? '' }),
      },
    },
    deps,
    now,
  );
  if (!redeemed.ok) throw new Error(redeemed.reason);
  return { ...redeemed, token: created.token };
}
