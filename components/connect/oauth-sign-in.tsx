import { buttonClass } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { ErrorSummary } from '@/components/ui/error-summary';
import type { Translator } from '@/lib/i18n/messages';
import type { OAuthFailureCode } from './oauth-messages';

/**
 * "Continue with Google/Microsoft": a plain link to GET ./oauth, which sends the
 * browser to the provider, so it works without JavaScript (and a link is not
 * held to the page's form-action like a form posting to another site).
 */
export function OAuthContinue({
  t,
  token,
  provider,
  appName,
}: {
  t: Translator;
  token: string;
  provider: string;
  appName: string;
}) {
  const values = { provider, appName };
  return (
    <div className="space-y-3">
      <a href={`/connect/${token}/oauth`} className={cn(buttonClass('primary', 'lg'), 'w-full sm:w-auto')}>
        {t('oauth.continueWith', values)}
      </a>
      <p className="text-sm text-slate-700 dark:text-slate-300">{t('oauth.continueHint', values)}</p>
    </div>
  );
}

export function OAuthPasswordDivider({ t }: { t: Translator }) {
  return (
    <h2 className="mt-8 mb-4 border-t border-slate-200 pt-6 text-base font-semibold text-slate-900 dark:border-slate-700 dark:text-slate-100">
      {t('oauth.orPassword')}
    </h2>
  );
}

/** The page of one OAuth2 failure: what happened, a way to retry, and a way back to the app. */
export function OAuthFailure({
  t,
  token,
  code,
  provider,
  appName,
}: {
  t: Translator;
  token: string;
  code: OAuthFailureCode;
  provider: string;
  appName: string;
}) {
  const values = { provider, appName };
  return (
    <section aria-labelledby="oauth-failure-title" className="space-y-4">
      <h2 id="oauth-failure-title" className="text-xl font-semibold text-slate-900 dark:text-slate-100">
        {t(`oauth.failures.${code}.title`, values)}
      </h2>
      <ErrorSummary message={t(`oauth.failures.${code}.body`, values)} />
      <div className="flex flex-wrap gap-3">
        {code !== 'oauth_unavailable' &&
          (code === 'oauth_wrong_account' ? (
            <a href={`/connect/${token}/oauth?account=choose`} className={buttonClass('primary', 'lg')}>
              {t('oauth.anotherAccount')}
            </a>
          ) : (
            <a href={`/connect/${token}/oauth`} className={buttonClass('primary', 'lg')}>
              {t('oauth.retry')}
            </a>
          ))}
        <a href={`/connect/${token}/cancel`} className={buttonClass('secondary', 'lg')}>
          {t('oauth.backToApp', values)}
        </a>
      </div>
    </section>
  );
}
