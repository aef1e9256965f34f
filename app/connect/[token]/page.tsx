import type { Metadata } from 'next';
import { ConnectFrame, ErrorSummary, inputClass, labelClass } from '@/components/connect/connect-frame';
import { signInErrorConcernsSettings, signInErrorMessage } from '@/components/connect/messages';
import { SubmitButton } from '@/components/connect/submit-button';
import { currentTime } from '@/lib/clock';
import { type ConnectPageRow, isFullEmail, loadConnectPage } from '@/lib/connect-flow/data';
import { defaultConnectFlowDeps } from '@/lib/connect-flow/deps';
import { openConnectFlow, partnerReturnUrl } from '@/lib/connect-flow/mutations';
import { getDb } from '@/lib/db/client';
import { findProviderByKey } from '@/lib/discovery/providers';
import { csrfTokenFor } from '@/lib/http/csrf';
import { submitIdentity, submitSignIn } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Connect your mailbox — Mailport', robots: { index: false } };

type Props = {
  params: Promise<{ token: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

type FlowError = { code: string } | { field: string; message: string } | null;

function readError(lastError: string | undefined): FlowError {
  if (!lastError) return null;
  if (lastError.startsWith('{')) {
    try {
      return JSON.parse(lastError) as { field: string; message: string };
    } catch {
      return { code: 'unknown' };
    }
  }
  return { code: lastError };
}

/** The hosted connect flow: who (unless known) → sign in → back to the partner app. */
export default async function ConnectPage({ params, searchParams }: Props) {
  const { token } = await params;
  const query = await searchParams;
  const db = await getDb();
  const now = currentTime();
  let state = await loadConnectPage(db, token, now);

  if (state.kind === 'not_found') {
    return (
      <ConnectFrame appName="An app" title="This link does not work" showAccess={false}>
        <p className="text-slate-700">
          This connect link is not valid. It may have been mistyped, or it was deleted. Go back to the app that sent you
          here and start again.
        </p>
      </ConnectFrame>
    );
  }
  if (state.kind === 'expired') {
    return (
      <ConnectFrame appName={state.appName} title="This link has expired" showAccess={false}>
        <p className="text-slate-700">
          Connect links work for 24 hours. Go back to {state.appName} and start again to get a new one.
        </p>
      </ConnectFrame>
    );
  }
  if (state.kind === 'used') {
    return (
      <ConnectFrame appName={state.appName} title="Your mailbox is connected" showAccess={false}>
        <p className="text-slate-700">This link has already been used: the mailbox is connected to {state.appName}.</p>
        <a
          href={partnerReturnUrl(state.row.callbackUrl, state.row.id)}
          className="mt-6 inline-block rounded-md bg-indigo-700 px-4 py-3 font-semibold text-white hover:bg-indigo-800"
        >
          Continue to {state.appName}
        </a>
      </ConnectFrame>
    );
  }

  if (!state.row.flow || (state.row.flow.email && !state.row.flow.server)) {
    await openConnectFlow(db, state.row, defaultConnectFlowDeps(), now);
    const reloaded = await loadConnectPage(db, token, now);
    if (reloaded.kind === 'active') state = reloaded;
  }
  if (state.kind !== 'active') return null;
  const { row, appName, level } = state;
  const flow = row.flow;
  const error = readError(flow?.lastError);
  const cancelHref = `/connect/${token}/cancel`;
  const csrf = csrfTokenFor(token);
  const askIdentity = level !== 'source' && !isFullEmail(row.email);
  const showIdentity = askIdentity && (!flow?.email || query.edit === 'who');
  const title =
    level === 'source'
      ? 'Reconnect your mailbox'
      : level === 'account'
        ? 'Add another mailbox'
        : 'Connect your mailbox';

  return (
    <ConnectFrame appName={appName} title={title}>
      <StepIndicator
        steps={askIdentity ? ['Your mailbox', 'Sign in'] : ['Sign in']}
        current={showIdentity ? 0 : askIdentity ? 1 : 0}
      />
      {showIdentity ? (
        <IdentityForm row={row} csrf={csrf} error={error} action={submitIdentity.bind(null, token)} />
      ) : (
        <SignInForm
          row={row}
          csrf={csrf}
          error={error}
          canChangeEmail={askIdentity}
          action={submitSignIn.bind(null, token)}
          token={token}
        />
      )}
      <p className="mt-8 border-t border-slate-200 pt-4 text-sm">
        <a href={cancelHref} className="text-slate-700 underline underline-offset-4 hover:text-slate-900">
          Cancel and go back to {appName}
        </a>
      </p>
    </ConnectFrame>
  );
}

function StepIndicator({ steps, current }: { steps: string[]; current: number }) {
  if (steps.length < 2) return null;
  return (
    <ol className="mb-6 flex gap-2 text-sm" aria-label="Progress">
      {steps.map((step, index) => (
        <li
          key={step}
          aria-current={index === current ? 'step' : undefined}
          className={index === current ? 'font-semibold text-indigo-800' : 'text-slate-600'}
        >
          {index + 1}. {step}
          {index < steps.length - 1 && <span aria-hidden="true"> →</span>}
        </li>
      ))}
    </ol>
  );
}

function fieldProps(error: FlowError, field: string) {
  const invalid = !!error && 'field' in error && error.field === field;
  return invalid ? { 'aria-invalid': true as const, 'aria-describedby': `${field}-error` } : {};
}

function FieldError({ error, field }: { error: FlowError; field: string }) {
  if (!error || !('field' in error) || error.field !== field) return null;
  return (
    <p id={`${field}-error`} className="mt-1 text-sm text-red-800">
      {error.message}
    </p>
  );
}

function IdentityForm({
  row,
  csrf,
  error,
  action,
}: {
  row: ConnectPageRow;
  csrf: string;
  error: FlowError;
  action: (formData: FormData) => Promise<void>;
}) {
  const domainOnly = row.email.startsWith('@') ? row.email : '';
  const flow = row.flow;
  const renderKey = Date.now(); // a repeated error remounts, so it is focused again
  return (
    <form action={action} noValidate={false} className="space-y-5">
      {error && 'field' in error && <ErrorSummary key={renderKey} message={error.message} />}
      {error && 'code' in error && <ErrorSummary key={renderKey} message={signInErrorMessage(error.code, '')} />}
      <input type="hidden" name="csrf" value={csrf} />
      {domainOnly ? (
        <div>
          <label htmlFor="localPart" className={labelClass}>
            Your email address
          </label>
          <div className="mt-1 flex items-center gap-1">
            <input
              id="localPart"
              name="localPart"
              required
              autoComplete="username"
              className={`${inputClass} mt-0`}
              defaultValue={flow?.email.endsWith(domainOnly) ? flow.email.slice(0, -domainOnly.length) : ''}
              {...fieldProps(error, 'email')}
            />
            <span className="whitespace-nowrap text-slate-800">{domainOnly}</span>
          </div>
          <FieldError error={error} field="email" />
        </div>
      ) : (
        <div>
          <label htmlFor="email" className={labelClass}>
            Email address
          </label>
          <input
            id="email"
            name="email"
            type="email"
            required
            autoComplete="email"
            inputMode="email"
            className={inputClass}
            defaultValue={flow?.email || row.email}
            {...fieldProps(error, 'email')}
          />
          <FieldError error={error} field="email" />
        </div>
      )}
      {!row.firstNameHidden && (
        <div>
          <label htmlFor="firstName" className={labelClass}>
            First name <span className="font-normal text-slate-600">(optional)</span>
          </label>
          <input
            id="firstName"
            name="firstName"
            autoComplete="given-name"
            maxLength={100}
            className={inputClass}
            defaultValue={flow?.firstName || row.firstName}
            {...fieldProps(error, 'firstName')}
          />
          <FieldError error={error} field="firstName" />
        </div>
      )}
      {!row.lastNameHidden && (
        <div>
          <label htmlFor="lastName" className={labelClass}>
            Last name <span className="font-normal text-slate-600">(optional)</span>
          </label>
          <input
            id="lastName"
            name="lastName"
            autoComplete="family-name"
            maxLength={100}
            className={inputClass}
            defaultValue={flow?.lastName || row.lastName}
            {...fieldProps(error, 'lastName')}
          />
          <FieldError error={error} field="lastName" />
        </div>
      )}
      <SubmitButton pendingText="Finding your mail server…">Continue</SubmitButton>
    </form>
  );
}

function SignInForm({
  row,
  csrf,
  error,
  canChangeEmail,
  action,
  token,
}: {
  row: ConnectPageRow;
  csrf: string;
  error: FlowError;
  canChangeEmail: boolean;
  action: (formData: FormData) => Promise<void>;
  token: string;
}) {
  const flow = row.flow;
  if (!flow) return null;
  const provider = findProviderByKey(flow.provider);
  const needsAppPassword = provider?.appPassword ?? false;
  const settingsError = !!error && 'code' in error && signInErrorConcernsSettings(error.code);
  const fieldInAdvanced = !!error && 'field' in error && error.field !== 'password';
  const renderKey = Date.now(); // a repeated error remounts, so it is focused again
  return (
    <form action={action} className="space-y-5">
      {error && 'code' in error && (
        <ErrorSummary key={renderKey} message={signInErrorMessage(error.code, flow.server)} />
      )}
      {error && 'field' in error && <ErrorSummary key={renderKey} message={error.message} />}
      <input type="hidden" name="csrf" value={csrf} />
      <p className="text-slate-800">
        Signing in to <span className="font-semibold break-all">{flow.email}</span>
        {canChangeEmail && (
          <>
            {' '}
            <a href={`/connect/${token}?edit=who`} className="text-indigo-700 underline underline-offset-4">
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
        <FieldError error={error} field="password" />
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
            <FieldError error={error} field="server" />
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
          <FieldError error={error} field="port" />
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
            <FieldError error={error} field="username" />
          </div>
        </div>
      </details>
      <SubmitButton pendingText="Checking your mailbox…">Connect mailbox</SubmitButton>
    </form>
  );
}
