import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ConnectFrame } from '@/components/connect/connect-frame';
import { IdentityForm } from '@/components/connect/identity-form';
import { LinkExpired, LinkNotFound, LinkUsed } from '@/components/connect/link-states';
import { isOAuthFailure } from '@/components/connect/oauth-messages';
import { OAuthContinue, OAuthFailure, OAuthPasswordDivider } from '@/components/connect/oauth-sign-in';
import { SignInForm } from '@/components/connect/sign-in-form';
import { StepIndicator } from '@/components/connect/step-indicator';
import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { findOAuthOption } from '@/lib/connect-flow/oauth';
import { positionOf, revisitFrom } from '@/lib/connect-flow/steps';
import { partnerReturnUrl } from '@/lib/connect-tokens/serialize';
import { getDb } from '@/lib/db/client';
import { csrfTokenFor } from '@/lib/http/csrf';
import { submitIdentity, submitSignIn } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Connect your mailbox — Mailport', robots: { index: false } };

type Props = {
  params: Promise<{ token: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

const TITLES = {
  top: 'Connect your mailbox',
  account: 'Add another mailbox',
  source: 'Reconnect your mailbox',
} as const;

/**
 * The hosted connect flow (steps: lib/connect-flow/steps.ts). Rendering only
 * reads, once: a flow not yet opened, or without settings yet, goes through
 * GET ./start, which does the writes and the discovery and comes back here.
 */
export default async function ConnectPage({ params, searchParams }: Props) {
  const { token } = await params;
  const query = await searchParams;
  const db = await getDb();
  const state = await loadConnectPage(db, token, currentTime());

  if (state.kind === 'not_found') return <LinkNotFound />;
  if (state.kind === 'expired') return <LinkExpired appName={state.appName} />;
  if (state.kind === 'used') {
    return <LinkUsed appName={state.appName} returnUrl={partnerReturnUrl(state.row.callbackUrl, state.row.id)} />;
  }

  const { row, appName, level } = state;
  const position = positionOf({ level, tokenEmail: row.email, flow: row.flow, revisit: revisitFrom(query.edit) });
  if (position.kind === 'prepare' || !row.flow) redirect(`/connect/${token}/start`);
  const csrf = csrfTokenFor(token);
  const asksWho = position.steps.some((step) => step.id === 'who');
  // Google and Microsoft mailboxes sign in at the provider when the developer has added one (spec §14).
  const oauth = position.step === 'sign-in' ? await findOAuthOption(db, row) : null;
  const error = row.flow.error;
  const oauthFailure = error?.kind === 'code' && isOAuthFailure(error.code) ? error.code : null;
  const providerName = oauth?.name ?? 'the provider';

  return (
    <ConnectFrame appName={appName} title={TITLES[level]}>
      <StepIndicator steps={position.steps} current={position.index} />
      {position.step === 'who' ? (
        <IdentityForm row={row} csrf={csrf} action={submitIdentity.bind(null, token)} />
      ) : oauthFailure ? (
        <OAuthFailure token={token} code={oauthFailure} provider={providerName} appName={appName} />
      ) : (
        <>
          {oauth && <OAuthContinue token={token} provider={oauth.name} appName={appName} />}
          {oauth?.acceptsPasswords && <OAuthPasswordDivider />}
          {(!oauth || oauth.acceptsPasswords) && (
            <SignInForm
              flow={row.flow}
              csrf={csrf}
              changeEmailHref={asksWho ? `/connect/${token}?edit=who` : null}
              action={submitSignIn.bind(null, token)}
            />
          )}
        </>
      )}
      <p className="mt-8 border-t border-slate-200 pt-4 text-sm">
        <a
          href={`/connect/${token}/cancel`}
          className="text-slate-700 underline underline-offset-4 hover:text-slate-900"
        >
          Cancel and go back to {appName}
        </a>
      </p>
    </ConnectFrame>
  );
}
