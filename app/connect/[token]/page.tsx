import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { ConnectFrame, DEFAULT_BRAND } from '@/components/connect/connect-frame';
import { IdentityForm } from '@/components/connect/identity-form';
import { LinkExpired, LinkNotFound, LinkUsed } from '@/components/connect/link-states';
import { isOAuthFailure } from '@/components/connect/oauth-messages';
import { OAuthContinue, OAuthFailure, OAuthPasswordDivider } from '@/components/connect/oauth-sign-in';
import { SignInForm } from '@/components/connect/sign-in-form';
import { StepIndicator } from '@/components/connect/step-indicator';
import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { exitUrl } from '@/lib/connect-flow/exits';
import { findOAuthOption, oauthProviderNameOf } from '@/lib/connect-flow/oauth';
import { pinnedAddress } from '@/lib/connect-flow/pinning';
import { positionOf, revisitFrom } from '@/lib/connect-flow/steps';
import { partnerReturnUrl } from '@/lib/connect-tokens/serialize';
import { getDb } from '@/lib/db/client';
import { csrfTokenFor } from '@/lib/http/csrf';
import { DEFAULT_LOCALE, isLocale, LOCALE_HEADER, resolveLocale } from '@/lib/i18n/locales';
import { translatorFor } from '@/lib/i18n/messages';
import { submitIdentity, submitSignIn } from './actions';

export const dynamic = 'force-dynamic';

type Props = {
  params: Promise<{ token: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/** The title in the page's language: the one proxy.ts chose for `<html lang>` (no second read of the token). */
export async function generateMetadata(): Promise<Metadata> {
  const asked = (await headers()).get(LOCALE_HEADER);
  const t = translatorFor(isLocale(asked) ? asked : DEFAULT_LOCALE);
  return { title: { absolute: t('frame.metaTitle') }, robots: { index: false } };
}

/**
 * The hosted connect flow (steps: lib/connect-flow/steps.ts). Rendering only
 * reads, once: a flow not yet opened, or without settings yet, goes through
 * GET ./start, which does the writes and the discovery and comes back here.
 * The language is the token's `locale`, then the browser's, then English.
 */
export default async function ConnectPage({ params, searchParams }: Props) {
  const { token } = await params;
  const query = await searchParams;
  const db = await getDb();
  const state = await loadConnectPage(db, token, currentTime());
  const requestHeaders = await headers();
  const acceptLanguage = requestHeaders.get('accept-language');

  if (state.kind === 'not_found') return <LinkNotFound t={translatorFor(resolveLocale('', acceptLanguage))} />;
  const { row, appName } = state;
  const t = translatorFor(resolveLocale(row.locale, acceptLanguage));
  const brand = row.developer.brand ?? DEFAULT_BRAND;
  const frame = { t, appName, brand };

  if (state.kind === 'expired') {
    const target = exitUrl(row, 'expired');
    if (target) redirect(target);
    return <LinkExpired {...frame} expiredAt={row.expiresAt} />;
  }
  if (state.kind === 'used') {
    const target = exitUrl(row, 'already_used');
    if (target) redirect(target);
    return <LinkUsed {...frame} returnUrl={partnerReturnUrl(row.callbackUrl, row.id)} />;
  }

  const position = positionOf({
    level: state.level,
    tokenEmail: row.email,
    flow: row.flow,
    revisit: revisitFrom(query.edit),
  });
  if (position.kind === 'prepare' || !row.flow) redirect(`/connect/${token}/start`);
  const csrf = csrfTokenFor(token);
  const asksWho = position.steps.some((step) => step.id === 'who');
  const errorContext = { server: row.flow.server, appName, expected: pinnedAddress(row) ?? '' };
  // Google and Microsoft mailboxes sign in at the provider when the developer has added one (spec §14).
  const oauth = position.step === 'sign-in' ? await findOAuthOption(db, row) : null;
  const error = row.flow.error;
  const oauthFailure = error?.kind === 'code' && isOAuthFailure(error.code) ? error.code : null;
  const providerName = oauth?.name ?? oauthProviderNameOf(row) ?? t('oauth.theProvider');

  return (
    <ConnectFrame
      {...frame}
      title={t(`titles.${state.level}`)}
      footer={
        <a
          href={`/connect/${token}/cancel`}
          className="text-slate-700 underline underline-offset-4 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
        >
          {t('frame.cancel', { appName })}
        </a>
      }
    >
      <StepIndicator t={t} steps={position.steps} current={position.index} />
      {position.step === 'who' ? (
        <IdentityForm
          t={t}
          row={row}
          csrf={csrf}
          errorContext={errorContext}
          action={submitIdentity.bind(null, token)}
        />
      ) : oauthFailure ? (
        <OAuthFailure t={t} token={token} code={oauthFailure} provider={providerName} appName={appName} />
      ) : (
        <>
          {oauth && <OAuthContinue t={t} token={token} provider={oauth.name} appName={appName} />}
          {oauth?.acceptsPasswords && <OAuthPasswordDivider t={t} />}
          {(!oauth || oauth.acceptsPasswords) && (
            <SignInForm
              t={t}
              flow={row.flow}
              csrf={csrf}
              errorContext={errorContext}
              changeEmailHref={asksWho ? `/connect/${token}?edit=who` : null}
              action={submitSignIn.bind(null, token)}
            />
          )}
        </>
      )}
    </ConnectFrame>
  );
}
