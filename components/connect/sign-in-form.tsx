import { FlowFieldError, fieldProps } from '@/components/connect/field-error';
import { type FlowErrorContext, flowErrorMessage, signInErrorConcernsSettings } from '@/components/connect/messages';
import { ErrorSummary } from '@/components/ui/error-summary';
import { inputClass, labelClass } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import type { ConnectFlowState } from '@/lib/connect-flow/data';
import { findProviderByKey } from '@/lib/discovery/providers';
import type { Translator } from '@/lib/i18n/messages';
import { providerNotes } from './provider-notes';

/**
 * Step "sign in": the password, with the found settings under "Advanced
 * settings" (open when they are only a guess or an error concerns them).
 */
export function SignInForm({
  t,
  flow,
  csrf,
  changeEmailHref,
  errorContext,
  action,
}: {
  t: Translator;
  flow: ConnectFlowState;
  errorContext: FlowErrorContext;
  csrf: string;
  /** The link back to step "who", when the token asks it. */
  changeEmailHref: string | null;
  action: (formData: FormData) => Promise<void>;
}) {
  const error = flow.error;
  const provider = findProviderByKey(flow.provider);
  const needsAppPassword = provider?.appPassword ?? false;
  const settingsError = error?.kind === 'code' && signInErrorConcernsSettings(error.code);
  const fieldInAdvanced = error?.kind === 'field' && error.field !== 'password';
  const renderKey = Date.now(); // a repeated error remounts, so it is focused again
  const message = error ? flowErrorMessage(t, error, errorContext) : '';
  const notes = provider ? providerNotes(t, provider.key) : [];
  return (
    <form action={action} className="space-y-5">
      {error && <ErrorSummary key={renderKey} message={message} />}
      <input type="hidden" name="csrf" value={csrf} />
      <p className="text-slate-800 dark:text-slate-200">
        {t.rich('signIn.signingInTo', {
          email: flow.email,
          strong: (chunks) => <span className="font-semibold break-all">{chunks}</span>,
        })}
        {changeEmailHref && (
          <>
            {' '}
            <a href={changeEmailHref} className="text-indigo-700 underline underline-offset-4 dark:text-indigo-300">
              {t('signIn.change')}
            </a>
          </>
        )}
      </p>
      {provider && notes.length > 0 && (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
          <p className="font-semibold">
            {provider.imap
              ? t('signIn.providerBefore', { provider: provider.name })
              : t('signIn.providerNoPassword', { provider: provider.name })}
          </p>
          <ul className="mt-1 list-disc space-y-1 ps-5">
            {notes.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
      <div>
        <label htmlFor="password" className={labelClass}>
          {needsAppPassword ? t('signIn.appPassword') : t('signIn.password')}
        </label>
        <input
          id="password"
          name="password"
          type="password"
          required
          autoComplete="current-password"
          className={inputClass}
          {...fieldProps(error, 'password')}
        />
        <FlowFieldError error={error} field="password" message={message} />
      </div>
      <details
        open={settingsError || fieldInAdvanced || flow.settingsSource === 'guess'}
        className="rounded-md border border-slate-200 p-3 dark:border-slate-700"
      >
        <summary className="cursor-pointer font-medium text-slate-900 dark:text-slate-100">
          {t('signIn.advanced')}
        </summary>
        <p className="mt-2 text-sm text-slate-700 dark:text-slate-300">
          {flow.settingsSource === 'guess' ? t('signIn.guessed') : t('signIn.found')}
        </p>
        <div className="mt-3 space-y-4">
          <div>
            <label htmlFor="server" className={labelClass}>
              {t('signIn.server')}
            </label>
            <input
              id="server"
              name="server"
              required
              className={inputClass}
              defaultValue={flow.server}
              {...fieldProps(error, 'server')}
            />
            <FlowFieldError error={error} field="server" message={message} />
          </div>
          <div className="flex gap-3">
            <div className="w-28">
              <label htmlFor="port" className={labelClass}>
                {t('signIn.port')}
              </label>
              <input
                id="port"
                name="port"
                inputMode="numeric"
                pattern="[0-9]*"
                required
                className={inputClass}
                defaultValue={String(flow.port)}
                {...fieldProps(error, 'port')}
              />
            </div>
            <div className="flex-1">
              <label htmlFor="tlsMode" className={labelClass}>
                {t('signIn.security')}
              </label>
              <select id="tlsMode" name="tlsMode" className={inputClass} defaultValue={flow.tlsMode}>
                <option value="TLS">{t('signIn.tls')}</option>
                <option value="STARTTLS">{t('signIn.starttls')}</option>
                <option value="NONE">{t('signIn.none')}</option>
              </select>
            </div>
          </div>
          <FlowFieldError error={error} field="port" message={message} />
          <div>
            <label htmlFor="username" className={labelClass}>
              {t('signIn.username')}
            </label>
            <input
              id="username"
              name="username"
              required
              autoComplete="username"
              className={inputClass}
              defaultValue={flow.username}
              {...fieldProps(error, 'username')}
            />
            <FlowFieldError error={error} field="username" message={message} />
          </div>
        </div>
      </details>
      <SubmitButton variant="accent" size="lg" className="w-full sm:w-auto" pendingText={t('signIn.pending')}>
        {t('signIn.submit')}
      </SubmitButton>
    </form>
  );
}
