import type { FlowErrorCode } from '@/lib/connect-flow/schema';

/**
 * Every string of the connect pages' OAuth2 sign-in, in one table so it can
 * move into the i18n catalogue as it is. `{provider}` is Google or Microsoft,
 * `{app}` the partner app's name.
 */

export type OAuthFailureCode = Extract<FlowErrorCode, `oauth_${string}`>;

export const OAUTH_TEXT = {
  continueWith: 'Continue with {provider}',
  continueHint: 'You will sign in at {provider} and allow {app} to read your mail. We never see your password.',
  orPassword: 'Or sign in with an app password',
  retry: 'Try again',
  anotherAccount: 'Use another account',
  backToApp: 'Back to {app}',
  failures: {
    oauth_denied: {
      title: 'You did not allow access',
      body: 'At {provider} you chose not to let {app} read your mail, so nothing was connected. You can try again, or go back.',
    },
    oauth_wrong_account: {
      title: 'That is a different account',
      body: 'You signed in to {provider} with a different address than the one {app} asked for. Sign in with the right account.',
    },
    oauth_state_invalid: {
      title: 'This sign-in has expired',
      body: 'The answer from {provider} was too old, was already used, or came back in another browser. Start the sign-in again.',
    },
    oauth_provider_error: {
      title: '{provider} sign-in did not work',
      body: '{provider} answered with an error, so nothing was connected. Try again; if it keeps failing, tell {app}.',
    },
    oauth_provider_down: {
      title: '{provider} is not answering',
      body: 'We could not reach {provider} (or its mail server) just now. Wait a moment and try again.',
    },
    oauth_imap_refused: {
      title: 'Your mailbox refused the connection',
      body: 'You signed in, but the mail server did not let us in. IMAP may be turned off for this mailbox; ask your administrator, then try again.',
    },
    oauth_unavailable: {
      title: 'Sign-in with {provider} is not available',
      body: '{app} no longer offers sign-in with {provider}. Go back to {app}.',
    },
  } satisfies Record<OAuthFailureCode, { title: string; body: string }>,
} as const;

export function fillOAuthText(template: string, values: { provider: string; app: string }): string {
  return template.replaceAll('{provider}', values.provider).replaceAll('{app}', values.app);
}

export function isOAuthFailure(code: FlowErrorCode): code is OAuthFailureCode {
  return code in OAUTH_TEXT.failures;
}
