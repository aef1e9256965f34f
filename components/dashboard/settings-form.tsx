'use client';

import { useActionState } from 'react';
import { ErrorSummary } from '@/components/ui/error-summary';
import { FieldError, inputClass, labelClass } from '@/components/ui/field';
import { Notice } from '@/components/ui/notice';
import { SubmitButton } from '@/components/ui/submit-button';
import { type FormState, TextField } from './fields';

export function SettingsForm({
  action,
  csrf,
  appName,
  prefixes,
  maxPrefixes,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  csrf: string;
  appName: string;
  prefixes: string[];
  maxPrefixes: number;
}) {
  const [state, formAction] = useActionState(action, {});
  const prefixError = state.fieldErrors?.callbackUrlPrefixes;
  return (
    <form action={formAction} className="max-w-2xl space-y-5">
      {state.error && <ErrorSummary message={state.error} />}
      {state.values?.saved && <Notice>Settings saved.</Notice>}
      <input type="hidden" name="csrf" value={csrf} />
      <TextField
        name="appName"
        label="App name"
        hint="Shown to your users on the connect pages: “… uses Mailport to connect your mailbox”."
        defaultValue={appName}
        maxLength={80}
        required
        state={state}
      />
      <div>
        <label htmlFor="callbackUrlPrefixes" className={labelClass}>
          Allowed callback URL prefixes <span className="font-normal text-slate-600">(optional)</span>
        </label>
        <p id="callbackUrlPrefixes-hint" className="mt-1 text-sm text-slate-600">
          One per line, at most {maxPrefixes}. When set, connect tokens whose callback_url, source_callback_url or
          status_callback_url starts with none of them are refused (the API answers 400). Empty allows any URL.
        </p>
        <textarea
          id="callbackUrlPrefixes"
          name="callbackUrlPrefixes"
          rows={4}
          defaultValue={state.values?.callbackUrlPrefixes ?? prefixes.join('\n')}
          aria-invalid={prefixError ? true : undefined}
          aria-describedby={`callbackUrlPrefixes-hint${prefixError ? ' callbackUrlPrefixes-error' : ''}`}
          className={`${inputClass} font-mono text-sm`}
          placeholder="https://app.example.com/"
        />
        <FieldError name="callbackUrlPrefixes" error={prefixError} />
      </div>
      <SubmitButton pendingText="Saving…">Save settings</SubmitButton>
    </form>
  );
}
