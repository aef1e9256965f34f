import { FlowFieldError, fieldProps } from '@/components/connect/field-error';
import { type FlowErrorContext, flowErrorMessage } from '@/components/connect/messages';
import { cn } from '@/components/ui/cn';
import { ErrorSummary } from '@/components/ui/error-summary';
import { inputClass, labelClass } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import type { ConnectPageRow } from '@/lib/connect-flow/data';
import { FIELD_MAX_LENGTH } from '@/lib/connect-flow/schema';
import type { Translator } from '@/lib/i18n/messages';

/** Step "who": the mailbox address (or its local part, when the partner fixed the domain) and optional names. */
export function IdentityForm({
  t,
  row,
  csrf,
  errorContext,
  action,
}: {
  t: Translator;
  row: ConnectPageRow;
  csrf: string;
  errorContext: FlowErrorContext;
  action: (formData: FormData) => Promise<void>;
}) {
  const domainOnly = row.email.startsWith('@') ? row.email : '';
  const flow = row.flow;
  const error = flow?.error ?? null;
  const renderKey = Date.now(); // a repeated error remounts, so it is focused again
  const message = error ? flowErrorMessage(t, error, errorContext) : '';
  return (
    <form action={action} noValidate={false} className="space-y-5">
      {error && <ErrorSummary key={renderKey} message={message} />}
      <input type="hidden" name="csrf" value={csrf} />
      {domainOnly ? (
        <div>
          <label htmlFor="localPart" className={labelClass}>
            {t('identity.yourEmail')}
          </label>
          <div className="mt-1 flex items-center gap-1">
            <input
              id="localPart"
              name="localPart"
              required
              autoComplete="username"
              className={cn(inputClass, 'mt-0')}
              defaultValue={flow?.email.endsWith(domainOnly) ? flow.email.slice(0, -domainOnly.length) : ''}
              {...fieldProps(error, 'email')}
            />
            <span className="whitespace-nowrap text-slate-800 dark:text-slate-200">{domainOnly}</span>
          </div>
          <FlowFieldError error={error} field="email" message={message} />
        </div>
      ) : (
        <div>
          <label htmlFor="email" className={labelClass}>
            {t('identity.email')}
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
          <FlowFieldError error={error} field="email" message={message} />
        </div>
      )}
      {!row.firstNameHidden && (
        <div>
          <label htmlFor="firstName" className={labelClass}>
            {t('identity.firstName')}{' '}
            <span className="font-normal text-slate-600 dark:text-slate-300">{t('identity.optional')}</span>
          </label>
          <input
            id="firstName"
            name="firstName"
            autoComplete="given-name"
            maxLength={FIELD_MAX_LENGTH.firstName}
            className={inputClass}
            defaultValue={flow?.firstName || row.firstName}
            {...fieldProps(error, 'firstName')}
          />
          <FlowFieldError error={error} field="firstName" message={message} />
        </div>
      )}
      {!row.lastNameHidden && (
        <div>
          <label htmlFor="lastName" className={labelClass}>
            {t('identity.lastName')}{' '}
            <span className="font-normal text-slate-600 dark:text-slate-300">{t('identity.optional')}</span>
          </label>
          <input
            id="lastName"
            name="lastName"
            autoComplete="family-name"
            maxLength={FIELD_MAX_LENGTH.lastName}
            className={inputClass}
            defaultValue={flow?.lastName || row.lastName}
            {...fieldProps(error, 'lastName')}
          />
          <FlowFieldError error={error} field="lastName" message={message} />
        </div>
      )}
      <SubmitButton variant="accent" size="lg" className="w-full sm:w-auto" pendingText={t('identity.pending')}>
        {t('identity.submit')}
      </SubmitButton>
    </form>
  );
}
