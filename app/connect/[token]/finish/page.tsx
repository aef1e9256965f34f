import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { ConnectFrame, DEFAULT_BRAND } from '@/components/connect/connect-frame';
import { LinkNotFound } from '@/components/connect/link-states';
import { PopupNotifier } from '@/components/connect/popup-notifier';
import { buttonClass } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { EXIT_ERRORS, type FlowExit, popupMessageFor, popupTargetOrigin } from '@/lib/connect-flow/exits';
import { partnerReturnUrl } from '@/lib/connect-tokens/serialize';
import { getDb } from '@/lib/db/client';
import { resolveLocale } from '@/lib/i18n/locales';
import { translatorFor } from '@/lib/i18n/messages';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { robots: { index: false } };

type Props = { params: Promise<{ token: string }> };

const TITLES = { connected: 'connectedTitle', cancelled: 'cancelledTitle', expired: 'errorTitle' } as const;

/**
 * Where a popup-mode flow ends (lib/connect-flow/exits.ts). The outcome comes
 * from the token's state, never from the address: a used token is connected,
 * an expired one an error, a cancelled flow cancelled; an unfinished flow goes
 * back to its page. The page posts it to the opener and closes.
 */
export default async function FinishPage({ params }: Props) {
  const { token } = await params;
  const state = await loadConnectPage(await getDb(), token, currentTime());
  const requestHeaders = await headers();
  const acceptLanguage = requestHeaders.get('accept-language');
  if (state.kind === 'not_found') return <LinkNotFound t={translatorFor(resolveLocale('', acceptLanguage))} />;
  const { row, appName } = state;
  let exit: Exclude<FlowExit, 'already_used'>;
  if (state.kind === 'used') exit = 'connected';
  else if (state.kind === 'expired') exit = 'expired';
  else if (row.flow?.cancelledAt) exit = 'cancelled';
  else redirect(`/connect/${token}`);

  const t = translatorFor(resolveLocale(row.locale, acceptLanguage));
  const targetOrigin = row.mode === 'popup' ? popupTargetOrigin(row.callbackUrl) : null;
  const returnUrl = partnerReturnUrl(
    row.callbackUrl,
    token,
    exit === 'connected' ? {} : { error: exit, error_description: EXIT_ERRORS[exit] },
  );
  return (
    <ConnectFrame
      t={t}
      appName={appName}
      brand={row.developer.brand ?? DEFAULT_BRAND}
      title={t(`finish.${TITLES[exit]}`)}
      showAccess={false}
    >
      {targetOrigin && <PopupNotifier message={popupMessageFor(exit, token)} targetOrigin={targetOrigin} />}
      <p role="status" className="text-slate-700 dark:text-slate-300">
        {t('finish.closeWindow', { appName })}
      </p>
      <a href={returnUrl} className={cn(buttonClass('accent', 'lg'), 'mt-6')}>
        {t('links.continueTo', { appName })}
      </a>
    </ConnectFrame>
  );
}
