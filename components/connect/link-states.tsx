import { ConnectFrame, type FrameBrand } from '@/components/connect/connect-frame';
import { buttonClass } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { CONNECT_TOKEN_LIFETIME_MS } from '@/lib/connect-tokens/schema';
import type { Translator } from '@/lib/i18n/messages';

/** The pages of a link that can no longer connect anything: unknown, expired, or already used. */

interface LinkPageProps {
  t: Translator;
  appName: string;
  brand?: FrameBrand;
}

export function LinkNotFound({ t }: { t: Translator }) {
  return (
    <ConnectFrame t={t} appName={t('links.anApp')} title={t('links.notFoundTitle')} showAccess={false}>
      <p className="text-slate-700 dark:text-slate-300">{t('links.notFoundBody')}</p>
    </ConnectFrame>
  );
}

export function LinkExpired({ t, appName, brand, expiredAt }: LinkPageProps & { expiredAt: Date }) {
  return (
    <ConnectFrame t={t} appName={appName} brand={brand} title={t('links.expiredTitle')} showAccess={false}>
      <p className="text-slate-700 dark:text-slate-300">
        {t('links.expiredBody', { appName, expiredAt, hours: CONNECT_TOKEN_LIFETIME_MS / 3_600_000 })}
      </p>
    </ConnectFrame>
  );
}

export function LinkUsed({ t, appName, brand, returnUrl }: LinkPageProps & { returnUrl: string }) {
  return (
    <ConnectFrame t={t} appName={appName} brand={brand} title={t('links.usedTitle')} showAccess={false}>
      <p className="text-slate-700 dark:text-slate-300">{t('links.usedBody', { appName })}</p>
      <a href={returnUrl} className={cn(buttonClass('accent', 'lg'), 'mt-6')}>
        {t('links.continueTo', { appName })}
      </a>
    </ConnectFrame>
  );
}
