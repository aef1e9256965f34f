import * as oauth from 'oauth4webapi';
import type { OAuthProviderSpec } from './providers';

/**
 * The client side of OAuth2 (authorization code + PKCE, refresh) over
 * oauth4webapi. Expected outcomes come back as values; only a bug throws.
 * Tokens pass through here in memory only: lib/sources seals them.
 */

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

export interface OAuthTokens {
  accessToken: string;
  /** Absent on a refresh that did not rotate it: keep the old one. */
  refreshToken?: string;
  expiresAt: Date;
}

/** Why a provider call failed, in the words the connect pages and sources act on. */
export type OAuthFailure =
  /** The end user said no on the consent screen. */
  | 'access_denied'
  /** The grant is dead: revoked, expired, or issued to another client (refresh), or a bad code. */
  | 'invalid_grant'
  /** The provider answered, but not as OAuth says it should (a misconfigured client, a bad id_token). */
  | 'provider_error'
  /** No answer, a timeout, or a 5xx. */
  | 'provider_down';

export type OAuthResult<T> = ({ ok: true } & T) | { ok: false; failure: OAuthFailure; detail: string };

const TIMEOUT_MS = 10_000;
/** Without expires_in, assume the shortest lifetime either provider issues. */
const DEFAULT_LIFETIME_SECONDS = 3600;

// oauth4webapi's hook for issuers that vary per tenant (what openid-client uses for Microsoft's `common`).
const expectedIssuer = (oauth as unknown as { _expectedIssuer: symbol })._expectedIssuer;

function authorizationServer(spec: OAuthProviderSpec): oauth.AuthorizationServer {
  const server: oauth.AuthorizationServer = {
    issuer: spec.issuer,
    authorization_endpoint: spec.authorizationEndpoint,
    token_endpoint: spec.tokenEndpoint,
  };
  if (spec.issuer.includes('{tenantid}')) {
    Object.assign(server, {
      [expectedIssuer]: (result: { claims: { tid?: unknown } }) =>
        spec.issuer.replace('{tenantid}', typeof result.claims.tid === 'string' ? result.claims.tid : ''),
    });
  }
  return server;
}

/** http endpoints only where the operator configured them (a local test server); https otherwise. */
function requestOptions(spec: OAuthProviderSpec) {
  return {
    signal: AbortSignal.timeout(TIMEOUT_MS),
    [oauth.allowInsecureRequests]: spec.tokenEndpoint.startsWith('http:'),
  };
}

export function newPkceVerifier(): string {
  return oauth.generateRandomCodeVerifier();
}

export function newOAuthState(): string {
  return oauth.generateRandomState();
}

/** Where to send the browser: the provider's consent screen for IMAP and the address. */
export async function authorizationUrl(
  spec: OAuthProviderSpec,
  clientId: string,
  request: { redirectUri: string; state: string; codeVerifier: string; loginHint?: string },
): Promise<string> {
  const url = new URL(spec.authorizationEndpoint);
  const params = {
    client_id: clientId,
    redirect_uri: request.redirectUri,
    response_type: 'code',
    scope: spec.scopes.join(' '),
    state: request.state,
    code_challenge: await oauth.calculatePKCECodeChallenge(request.codeVerifier),
    code_challenge_method: 'S256',
    ...spec.authorizationParams,
    ...(request.loginHint ? { login_hint: request.loginHint } : {}),
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

function tokensOf(response: oauth.TokenEndpointResponse, now: Date): OAuthTokens {
  const lifetime = response.expires_in ?? DEFAULT_LIFETIME_SECONDS;
  return {
    accessToken: response.access_token,
    ...(response.refresh_token ? { refreshToken: response.refresh_token } : {}),
    expiresAt: new Date(now.getTime() + lifetime * 1000),
  };
}

/** Maps what oauth4webapi and fetch throw to the few outcomes callers act on. */
/**
 * Answers that say "not now" rather than "no": a server error, a rate limit (429) or a
 * request timeout (408). A refresh refused this way is tried again later; the grant lives.
 */
const isTransientStatus = (status: number) => status >= 500 || status === 429 || status === 408;

export function classifyOAuthError(error: unknown): { failure: OAuthFailure; detail: string } {
  if (error instanceof oauth.ResponseBodyError) {
    if (isTransientStatus(error.status)) return { failure: 'provider_down', detail: `HTTP ${error.status}` };
    return {
      failure: error.error === 'invalid_grant' ? 'invalid_grant' : 'provider_error',
      detail: error.error_description ? `${error.error}: ${error.error_description}` : error.error,
    };
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return { failure: error.error === 'access_denied' ? 'access_denied' : 'provider_error', detail: error.error };
  }
  if (error instanceof oauth.OperationProcessingError) {
    const status = error.cause instanceof Response ? error.cause.status : 0;
    if (isTransientStatus(status)) return { failure: 'provider_down', detail: `HTTP ${status}` };
    return { failure: 'provider_error', detail: error.message };
  }
  // fetch's TypeError (refused, DNS), AbortSignal.timeout's TimeoutError.
  if (error instanceof Error && (error.name === 'TypeError' || error.name === 'TimeoutError')) {
    return { failure: 'provider_down', detail: error.message };
  }
  return { failure: 'provider_error', detail: error instanceof Error ? error.message : String(error) };
}

/**
 * The provider sent the browser back: check the response against our state,
 * exchange the code (with the PKCE verifier) and read the signed-in address
 * from the id_token, received directly from the token endpoint over TLS.
 */
export async function exchangeAuthorizationCode(
  spec: OAuthProviderSpec,
  client: OAuthClientCredentials,
  callback: { params: URLSearchParams; redirectUri: string; state: string; codeVerifier: string },
  now: Date,
): Promise<OAuthResult<{ tokens: OAuthTokens; email: string }>> {
  const server = authorizationServer(spec);
  const oauthClient: oauth.Client = { client_id: client.clientId };
  try {
    const params = oauth.validateAuthResponse(server, oauthClient, callback.params, callback.state);
    const response = await oauth.authorizationCodeGrantRequest(
      server,
      oauthClient,
      oauth.ClientSecretPost(client.clientSecret),
      params,
      callback.redirectUri,
      callback.codeVerifier,
      requestOptions(spec),
    );
    const result = await oauth.processAuthorizationCodeResponse(server, oauthClient, response, {
      requireIdToken: true,
    });
    const claims = (oauth.getValidatedIdTokenClaims(result) ?? {}) as Record<string, unknown>;
    const email = spec.emailClaims.map((name) => claims[name]).find((value) => typeof value === 'string');
    if (typeof email !== 'string' || !email.includes('@')) {
      return { ok: false, failure: 'provider_error', detail: 'the id_token carries no email address' };
    }
    if (!result.refresh_token) {
      return { ok: false, failure: 'provider_error', detail: 'the provider issued no refresh token' };
    }
    return { ok: true, tokens: tokensOf(result, now), email: email.toLowerCase() };
  } catch (error) {
    return { ok: false, ...classifyOAuthError(error) };
  }
}

/** A new access token from the refresh token; the provider may rotate the refresh token too. */
export async function refreshAccessToken(
  spec: OAuthProviderSpec,
  client: OAuthClientCredentials,
  refreshToken: string,
  now: Date,
): Promise<OAuthResult<{ tokens: OAuthTokens }>> {
  const server = authorizationServer(spec);
  const oauthClient: oauth.Client = { client_id: client.clientId };
  try {
    const response = await oauth.refreshTokenGrantRequest(
      server,
      oauthClient,
      oauth.ClientSecretPost(client.clientSecret),
      refreshToken,
      requestOptions(spec),
    );
    const result = await oauth.processRefreshTokenResponse(server, oauthClient, response);
    return { ok: true, tokens: tokensOf(result, now) };
  } catch (error) {
    return { ok: false, ...classifyOAuthError(error) };
  }
}
