import { FlowFieldError, fieldProps } from '@/components/connect/field-error';
import { flowErrorMessage, signInErrorConcernsSettings } from '@/components/connect/messages';
import { ErrorSummary } from '@/components/ui/error-summary';
import { inputClass, labelClass } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import type { ConnectFlowState } from '@/lib/connect-flow/data';
import { findProviderByKey } from '@/lib/discovery/providers';

/**
 * Step "sign in": the password, with the found settings under "Advanced
 * settings" (open when they are only a guess or an error concerns them).
 */
export function SignInForm({
  flow,
  csrf,
  changeEmailHref,
  action,
}: {
  flow: ConnectFlowState;
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
  return (
    <form action={action} className="space-y-5">
      {error && <ErrorSummary key={renderKey} message={flowErrorMessage(error, flow.server)} />}
      <input type="hidden" name="csrf" value={csrf} />
      <p className="text-slate-800">
        Signing in to <span className="font-semibold break-all">{flow.email}</span>
        {changeEmailHref && (
          <>
            {' '}
            <a href={changeEmailHref} className="text-indigo-700 underline underline-offset-4">
              Change
            </a>
          </>
        )}
      </p>
      {provider && provider.notes.length > 0 && (
        <div className="rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
          <p className="font-semibold">
            {provider.imap
              ? `${provider.name}: before you sign in`
              : `${provider.name} cannot be connected with a password`}
          </p>
          <ul className="mt-1 list-disc space-y-1 pl-5">
            {provider.notes.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </div>
      )}
      <div>
        <label htmlFor="password" className={labelClass}>
          {needsAppPassword ? 'App password' : 'Password'}
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
        <FlowFieldError error={error} field="password" />
      </div>
      <details
        open={settingsError || fieldInAdvanced || flow.settingsSource === 'guess'}
        className="rounded-md border border-slate-200 p-3"
      >
        <summary className="cursor-pointer font-medium text-slate-900">Advanced settings</summary>
        <p className="mt-2 text-sm text-slate-700">
          {flow.settingsSource === 'guess'
            ? 'We could not look up this mailbox’s settings, so these are a guess. Check them with your provider.'
            : 'We found these settings for your mailbox. Change them only if your provider tells you to.'}
        </p>
        <div className="mt-3 space-y-4">
          <div>
            <label htmlFor="server" className={labelClass}>
              IMAP server
            </label>
            <input
              id="server"
              name="server"
              required
              className={inputClass}
              defaultValue={flow.server}
              {...fieldProps(error, 'server')}
            />
            <FlowFieldError error={error} field="server" />
          </div>
          <div className="flex gap-3">
            <div className="w-28">
              <label htmlFor="port" className={labelClass}>
                Port
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
                Security
              </label>
              <select id="tlsMode" name="tlsMode" className={inputClass} defaultValue={flow.tlsMode}>
                <option value="TLS">SSL/TLS</option>
                <option value="STARTTLS">STARTTLS</option>
                <option value="NONE">None (not encrypted)</option>
              </select>
            </div>
          </div>
          <FlowFieldError error={error} field="port" />
          <div>
            <label htmlFor="username" className={labelClass}>
              Username
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
            <FlowFieldError error={error} field="username" />
          </div>
        </div>
      </details>
      <SubmitButton size="lg" className="w-full sm:w-auto" pendingText="Checking your mailbox…">
        Connect mailbox
      </SubmitButton>
    </form>
  );
}
