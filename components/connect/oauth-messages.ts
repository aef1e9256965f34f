import type { FlowErrorCode } from '@/lib/connect-flow/schema';

/** The OAuth2 sign-in's failures; each has a page of its own, worded in the catalogue under `oauth.failures`. */
export type OAuthFailureCode = Extract<FlowErrorCode, `oauth_${string}`>;

export function isOAuthFailure(code: FlowErrorCode): code is OAuthFailureCode {
  return code.startsWith('oauth_');
}
