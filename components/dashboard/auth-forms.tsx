'use client';

import { useActionState } from 'react';
import { ErrorSummary } from '@/components/ui/error-summary';
import { Notice } from '@/components/ui/notice';
import { SubmitButton } from '@/components/ui/submit-button';
import { type FormState, TextField } from './fields';

type Action = (state: FormState, formData: FormData) => Promise<FormState>;

/** Email and password; `next` says where to go afterwards. */
export function SignInForm({ action, next }: { action: Action; next: string }) {
  const [state, formAction] = useActionState(action, {});
  return (
    <form action={formAction} className="space-y-5">
      {state.error && <ErrorSummary message={state.error} />}
      <input type="hidden" name="next" value={next} />
      <TextField name="email" label="Email address" type="email" autoComplete="username" required state={state} />
      <TextField
        name="password"
        label="Password"
        type="password"
        autoComplete="current-password"
        required
        state={state}
      />
      <SubmitButton pendingText="Signing in…">Sign in</SubmitButton>
    </form>
  );
}

export function SignUpForm({ action, minLength }: { action: Action; minLength: number }) {
  const [state, formAction] = useActionState(action, {});
  return (
    <form action={formAction} className="space-y-5">
      {state.error && <ErrorSummary message={state.error} />}
      <TextField name="email" label="Email address" type="email" autoComplete="username" required state={state} />
      <TextField
        name="appName"
        label="App name"
        hint="Your users see this name on the connect pages. You can change it later."
        maxLength={80}
        required
        state={state}
      />
      <TextField
        name="password"
        label="Password"
        hint={`At least ${minLength} characters.`}
        type="password"
        autoComplete="new-password"
        minLength={minLength}
        required
        state={state}
      />
      <SubmitButton pendingText="Creating your account…">Create account</SubmitButton>
    </form>
  );
}

export function NewPasswordForm({
  action,
  minLength,
  csrf,
  withCurrent = false,
  submitLabel,
}: {
  action: Action;
  minLength: number;
  csrf?: string;
  withCurrent?: boolean;
  submitLabel: string;
}) {
  const [state, formAction] = useActionState(action, {});
  return (
    <form action={formAction} className="space-y-5">
      {state.error && <ErrorSummary message={state.error} />}
      {state.values?.done && (
        <Notice>Your password has changed. Other browsers signed in with it have been signed out.</Notice>
      )}
      {csrf && <input type="hidden" name="csrf" value={csrf} />}
      {withCurrent && (
        <TextField
          name="currentPassword"
          label="Current password"
          type="password"
          autoComplete="current-password"
          required
          state={state}
        />
      )}
      <TextField
        name={withCurrent ? 'newPassword' : 'password'}
        label="New password"
        hint={`At least ${minLength} characters.`}
        type="password"
        autoComplete="new-password"
        minLength={minLength}
        required
        state={state}
      />
      <TextField
        name="confirmPassword"
        label="Type the new password again"
        type="password"
        autoComplete="new-password"
        required
        state={state}
      />
      <SubmitButton pendingText="Saving…">{submitLabel}</SubmitButton>
    </form>
  );
}
