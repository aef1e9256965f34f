import { FlowFieldError, fieldProps } from '@/components/connect/field-error';
import { flowErrorMessage } from '@/components/connect/messages';
import { cn } from '@/components/ui/cn';
import { ErrorSummary } from '@/components/ui/error-summary';
import { inputClass, labelClass } from '@/components/ui/field';
import { SubmitButton } from '@/components/ui/submit-button';
import type { ConnectPageRow } from '@/lib/connect-flow/data';

/** Step "who": the mailbox address (or its local part, when the partner fixed the domain) and optional names. */
export function IdentityForm({
  row,
  csrf,
  action,
}: {
  row: ConnectPageRow;
  csrf: string;
  action: (formData: FormData) => Promise<void>;
}) {
  const domainOnly = row.email.startsWith('@') ? row.email : '';
  const flow = row.flow;
  const error = flow?.error ?? null;
  const renderKey = Date.now(); // a repeated error remounts, so it is focused again
  return (
    <form action={action} noValidate={false} className="space-y-5">
      {error && <ErrorSummary key={renderKey} message={flowErrorMessage(error, '')} />}
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
              className={cn(inputClass, 'mt-0')}
              defaultValue={flow?.email.endsWith(domainOnly) ? flow.email.slice(0, -domainOnly.length) : ''}
              {...fieldProps(error, 'email')}
            />
            <span className="whitespace-nowrap text-slate-800">{domainOnly}</span>
          </div>
          <FlowFieldError error={error} field="email" />
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
          <FlowFieldError error={error} field="email" />
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
          <FlowFieldError error={error} field="firstName" />
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
          <FlowFieldError error={error} field="lastName" />
        </div>
      )}
      <SubmitButton size="lg" className="w-full sm:w-auto" pendingText="Finding your mail server…">
        Continue
      </SubmitButton>
    </form>
  );
}
