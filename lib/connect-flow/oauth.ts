import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { completeConnection } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { isConnectToken } from '@/lib/ids';
import { authorizationUrl, exchangeAuthorizationCode, newOAuthState, newPkceVerifier } from '@/lib/oauth/client';
import {
  type OAuthProviderSpec,
  type OAuthProviderTypeName,
  oauthProviderSpec,
  oauthRedirectUri,
  oauthTypeForDiscoveryKey,
} from '@/lib/oauth/providers';
import { findOAuthProviderOfType, oauthClientCredentials } from '@/lib/oauth-providers/data';
import { mailboxLogin } from '@/lib/sources/schema';
import type { ConnectPageRow } from './data';
import { exitUrl, finishPath } from './exits';
import type { ConnectFlowDeps } from './mutations';
import { isAcceptedEmail, pinnedAddress } from './pinning';
import type { FlowErrorCode } from './schema';

/**
 * The connect flow's OAuth2 sign-in (authorization code + PKCE) for Google and
 * Microsoft mailboxes. `state` is `<connect token>.<random>`: the token finds
 * the flow even for a replayed or stale state, so every failure gets its page.
 * The flow stores only hashes of the state and of a browser nonce; the HTTP-only
 * cookie carries the nonce and the PKCE verifier, so a provider response only
 * completes in the browser that started it, once.
 */

/** How long the end user may spend at the provider's consent screen. */
export const OAUTH_SIGN_IN_TTL_MS = 10 * 60_000;

/** The cookie of one token's pending sign-in (a name per token: two tabs, two flows). */
export const oauthCookieName = (token: string) => `mailport_oauth_${token}`;

/** Which provider's passwords still open IMAP (Google: app passwords; Microsoft: turned off). */
const ACCEPTS_PASSWORDS: Record<OAuthProviderTypeName, boolean> = { GMAIL_OAUTH2: true, MSLIVECONNECT: false };

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function sameHash(stored: string | null, value: string): boolean {
  if (!stored) return false;
  const expected = Buffer.from(stored);
  const actual = Buffer.from(sha256(value));
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface OAuthOption {
  type: OAuthProviderTypeName;
  name: string;
  /** Whether the password form stays on offer beside "Continue with …". */
  acceptsPasswords: boolean;
}

/** The provider type this token's mailbox signs in with: the re-connected source's, or discovery's. */
function providerTypeOf(row: ConnectPageRow): OAuthProviderTypeName | null {
  const source = row.targetSource;
  if (source?.authenticationType === 'oauth2' && source.oauthProvider) return source.oauthProvider.type;
  return row.flow ? oauthTypeForDiscoveryKey(row.flow.provider) : null;
}

/** "Continue with Google/Microsoft" when discovery found such a mailbox and the developer has that provider. */
export async function findOAuthOption(db: Db, row: ConnectPageRow): Promise<OAuthOption | null> {
  const type = providerTypeOf(row);
  if (!type) return null;
  const provider = await findOAuthProviderOfType(db, row.developerId, type);
  if (!provider) return null;
  return { type, name: oauthProviderSpec(type).name, acceptsPasswords: ACCEPTS_PASSWORDS[type] };
}

/**
 * The provider this token's mailbox signs in with ("Google"), whether or not the
 * developer still offers it: a failure page names it (in every language) even
 * after the developer removed its client, rather than a generic "the provider".
 */
export function oauthProviderNameOf(row: ConnectPageRow): string | null {
  const type = providerTypeOf(row);
  return type ? oauthProviderSpec(type).name : null;
}

export type StartOAuthResult =
  | { ok: true; redirectUrl: string; cookie: { name: string; value: string; maxAgeSeconds: number; path: string } }
  | { ok: false; code: FlowErrorCode };

/** "Continue with …": a fresh state bound to this flow and browser, then the provider's consent screen. */
export async function startOAuthSignIn(
  db: Db,
  row: ConnectPageRow,
  options: { publicUrl: string; now: Date; chooseAccount?: boolean },
): Promise<StartOAuthResult> {
  const option = await findOAuthOption(db, row);
  const provider = option && (await findOAuthProviderOfType(db, row.developerId, option.type));
  if (!option || !provider) return { ok: false, code: 'oauth_unavailable' };
  const state = `${row.id}.${newOAuthState()}`;
  const nonce = randomBytes(24).toString('base64url');
  const codeVerifier = newPkceVerifier();
  const pending = {
    oauthStateHash: sha256(state),
    oauthBrowserHash: sha256(nonce),
    oauthProviderId: provider.id,
    oauthExpiresAt: new Date(options.now.getTime() + OAUTH_SIGN_IN_TTL_MS),
    error: Prisma.DbNull,
  };
  await db.connectFlow.upsert({
    where: { tokenId: row.id },
    update: pending,
    create: { tokenId: row.id, openedAt: options.now, ...pending },
  });
  const spec = oauthProviderSpec(option.type);
  const loginHint = pinnedAddress(row) ?? (row.flow?.email || undefined);
  const url = await authorizationUrl(
    {
      ...spec,
      // "Use another account": Google and Microsoft both show their account chooser for this.
      authorizationParams: options.chooseAccount
        ? { ...spec.authorizationParams, prompt: 'select_account consent' }
        : spec.authorizationParams,
    },
    provider.consumerKey,
    { redirectUri: oauthRedirectUri(options.publicUrl), state, codeVerifier, loginHint },
  );
  return {
    ok: true,
    redirectUrl: url,
    cookie: {
      name: oauthCookieName(row.id),
      value: `${nonce}.${codeVerifier}`,
      maxAgeSeconds: OAUTH_SIGN_IN_TTL_MS / 1000,
      path: '/connect/oauth/callback',
    },
  };
}

export type FinishOAuthResult =
  | { ok: true; redirectUrl: string }
  /** `token` null: the state names no connect token at all (a forged or mangled response). */
  | { ok: false; token: string | null; code: FlowErrorCode | 'already_used' };

/** The connect token a `state` names, if it names one. */
export function tokenOfState(state: string | null): string | null {
  const token = state?.split('.')[0] ?? '';
  return isConnectToken(token) ? token : null;
}

export interface FinishOAuthInput {
  /** The provider's redirect query (code, state, or error). */
  params: URLSearchParams;
  /** The browser's cookie for the state's token: `<nonce>.<PKCE verifier>`. */
  cookie: (name: string) => string | undefined;
  publicUrl: string;
}

/**
 * The provider sent the browser back. Check state, browser and expiry (and
 * clear them: a second use finds nothing), exchange the code, pin the signed-in
 * address, prove IMAP access with XOAUTH2, then finish exactly like the
 * password path (completeConnection).
 */
export async function finishOAuthSignIn(
  db: Db,
  row: ConnectPageRow,
  input: FinishOAuthInput,
  deps: Pick<ConnectFlowDeps, 'verify' | 'startSync'>,
  now: Date,
): Promise<FinishOAuthResult> {
  const state = input.params.get('state') ?? '';
  const fail = async (code: FlowErrorCode): Promise<FinishOAuthResult> => {
    await db.connectFlow.updateMany({ where: { tokenId: row.id }, data: { error: { kind: 'code', code } } });
    return { ok: false, token: row.id, code };
  };
  const [nonce = '', codeVerifier = ''] = (input.cookie(oauthCookieName(row.id)) ?? '').split('.');
  const flow = await db.connectFlow.findUnique({
    where: { tokenId: row.id },
    select: { oauthStateHash: true, oauthBrowserHash: true, oauthProviderId: true, oauthExpiresAt: true },
  });
  if (
    !flow?.oauthProviderId ||
    !sameHash(flow.oauthStateHash, state) ||
    !sameHash(flow.oauthBrowserHash, nonce) ||
    !codeVerifier ||
    (flow.oauthExpiresAt?.getTime() ?? 0) <= now.getTime()
  ) {
    return fail('oauth_state_invalid');
  }
  // Claim the pending sign-in: of two concurrent returns with the same state, one gets it.
  const { count } = await db.connectFlow.updateMany({
    where: { tokenId: row.id, oauthStateHash: flow.oauthStateHash },
    data: { oauthStateHash: null, oauthBrowserHash: null, oauthExpiresAt: null },
  });
  if (count !== 1) return fail('oauth_state_invalid');

  const client = await oauthClientCredentials(db, row.developerId, flow.oauthProviderId);
  if (!client) return fail('oauth_unavailable');
  const spec: OAuthProviderSpec = oauthProviderSpec(client.type);
  const exchanged = await exchangeAuthorizationCode(
    spec,
    client,
    { params: input.params, redirectUri: oauthRedirectUri(input.publicUrl), state, codeVerifier },
    now,
  );
  if (!exchanged.ok) {
    const code: FlowErrorCode =
      exchanged.failure === 'access_denied'
        ? 'oauth_denied'
        : exchanged.failure === 'provider_down'
          ? 'oauth_provider_down'
          : 'oauth_provider_error';
    return fail(code);
  }
  // Identity pinning (lib/connect-flow/pinning.ts): a full address, the re-connected source's, or an @domain.
  if (!isAcceptedEmail(row, exchanged.email)) return fail('oauth_wrong_account');

  const settings = { ...spec.imap, username: exchanged.email };
  const check = await deps.verify(mailboxLogin(settings, { accessToken: exchanged.tokens.accessToken }));
  if (!check.ok) return fail(check.failure === 'auth_failed' ? 'oauth_imap_refused' : 'oauth_provider_down');

  const completed = await completeConnection(
    db,
    row.id,
    {
      mailbox: {
        email: exchanged.email,
        ...settings,
        provider: spec.discoveryKey,
        authenticationType: 'oauth2',
        secret: exchanged.tokens.refreshToken ?? '',
        oauth: {
          providerId: flow.oauthProviderId,
          accessToken: exchanged.tokens.accessToken,
          accessTokenExpiresAt: exchanged.tokens.expiresAt,
        },
      },
      firstName: row.flow?.firstName ?? '',
      lastName: row.flow?.lastName ?? '',
    },
    { startSync: deps.startSync },
    now,
  );
  if (!completed.ok) {
    if (completed.reason === 'already_used') return { ok: false, token: row.id, code: 'already_used' };
    return fail(completed.reason);
  }
  // The partner's callback_url (Context.IO), or the popup's finish page: the same exit as the password path.
  return {
    ok: true,
    redirectUrl: exitUrl({ ...row, callbackUrl: completed.callbackUrl }, 'connected') ?? finishPath(row.id),
  };
}
