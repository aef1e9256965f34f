import { decryptSecret, encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import { refreshAccessToken } from '@/lib/oauth/client';
import { oauthProviderSpec } from '@/lib/oauth/providers';
import { oauthClientCredentials } from '@/lib/oauth-providers/data';
import { type SourceLogin, type SourceLoginRow, sourceLoginSelect } from './data';
import { changeSourceStatus } from './mutations';
import { mailboxLogin } from './schema';

/**
 * OAuth2 sources over time: refreshing the access token (loginForSource calls
 * refreshSourceAccess) and what a dead grant does to the source. Apart from
 * mutations.ts so neither file passes 500 lines.
 */

/**
 * A refreshed OAuth2 grant: the new access token (and the rotated refresh
 * token, when the provider sent one) stored sealed. Only when the stored refresh
 * token is still the one refreshed, so a concurrent refresh that rotated it wins.
 */
async function storeRefreshedGrant(
  db: Db,
  source: SourceLoginRow,
  tokens: { accessToken: string; refreshToken?: string; expiresAt: Date },
): Promise<void> {
  await db.source.updateMany({
    where: { id: source.id, credentialCiphertext: source.credentialCiphertext },
    data: {
      ...(tokens.refreshToken ? { credentialCiphertext: encryptSecret(tokens.refreshToken) } : {}),
      accessTokenCiphertext: encryptSecret(tokens.accessToken),
      accessTokenExpiresAt: tokens.expiresAt,
    },
  });
}

/**
 * The one place an OAuth2 source's dead grant becomes its status: INVALID_CREDENTIALS,
 * and its status_callback_url hears of it (changeSourceStatus). A source-level
 * connect token re-authorises it.
 */
export async function markOAuthGrantInvalid(db: Db, sourceId: string, message: string, now: Date): Promise<void> {
  await changeSourceStatus(db, { id: sourceId }, 'INVALID_CREDENTIALS', message, now);
}

const GRANT_REVOKED =
  'The mailbox owner revoked access, or the sign-in expired: re-connect the source with a source-level connect token.';
const PROVIDER_GONE =
  'The OAuth provider this source was connected through was deleted: add it again and re-connect the source.';

// One refresh per source at a time in this process: concurrent logins (a sync and content reads) share it.
const refreshesInFlight = new Map<string, Promise<SourceLogin>>();

/** How long a refused refresh waits for a concurrent one elsewhere (the worker) to store its rotated token. */
const ROTATION_GRACE_MS = 1500;

/**
 * A new access token for an OAuth2 source (loginForSource calls this when the
 * stored one is about to expire). A refused refresh marks the source; a
 * provider that does not answer leaves it as it is for a later retry.
 */
export function refreshSourceAccess(db: Db, source: SourceLoginRow, now: Date): Promise<SourceLogin> {
  const inFlight = refreshesInFlight.get(source.id);
  if (inFlight) return inFlight;
  const refresh = refreshOnce(db, source, now).finally(() => refreshesInFlight.delete(source.id));
  refreshesInFlight.set(source.id, refresh);
  return refresh;
}

async function refreshOnce(db: Db, source: SourceLoginRow, now: Date): Promise<SourceLogin> {
  const client = source.oauthProviderId
    ? await oauthClientCredentials(db, source.account.developerId, source.oauthProviderId)
    : null;
  if (!client) {
    await markOAuthGrantInvalid(db, source.id, PROVIDER_GONE, now);
    return { ok: false, failure: 'auth_failed', message: PROVIDER_GONE };
  }
  const refreshed = await refreshAccessToken(
    oauthProviderSpec(client.type),
    client,
    decryptSecret(source.credentialCiphertext),
    now,
  );
  if (refreshed.ok) {
    await storeRefreshedGrant(db, source, refreshed.tokens);
    return { ok: true, login: mailboxLogin(source, { accessToken: refreshed.tokens.accessToken }) };
  }
  if (refreshed.failure === 'provider_down') {
    return { ok: false, failure: 'provider_down', message: `The OAuth provider did not answer (${refreshed.detail}).` };
  }
  // Another process may have refreshed first and rotated the refresh token we used: its access token is good.
  const deadline = Date.now() + ROTATION_GRACE_MS;
  for (;;) {
    const current = await db.source.findUnique({ where: { id: source.id }, select: sourceLoginSelect });
    if (current && current.credentialCiphertext !== source.credentialCiphertext && current.accessTokenCiphertext) {
      return { ok: true, login: mailboxLogin(current, { accessToken: decryptSecret(current.accessTokenCiphertext) }) };
    }
    if (!current || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await markOAuthGrantInvalid(db, source.id, GRANT_REVOKED, now);
  return { ok: false, failure: 'auth_failed', message: GRANT_REVOKED };
}
