'use client';

import { useActionState } from 'react';
import { ErrorSummary } from '@/components/ui/error-summary';
import { SubmitButton } from '@/components/ui/submit-button';
import { CopyField } from './copy-field';
import type { FormState } from './fields';

export type KeyFormState = FormState & {
  created?: { key: string; secret: string; replaces?: string };
};

/**
 * Creating and rotating keys both end in a secret shown exactly once, so they
 * share this form: the list's Rotate buttons submit it through `form="key-actions"`.
 */
export function KeySecretForm({
  action,
  csrf,
}: {
  action: (state: KeyFormState, formData: FormData) => Promise<KeyFormState>;
  csrf: string;
}) {
  const [state, formAction] = useActionState(action, {});
  return (
    <form id="key-actions" action={formAction} className="mb-8">
      <input type="hidden" name="csrf" value={csrf} />
      {state.error && <ErrorSummary message={state.error} />}
      {state.created && (
        <section
          aria-labelledby="new-key-heading"
          className="mb-5 space-y-3 rounded-lg border border-emerald-300 bg-emerald-50 p-4"
        >
          <h2 id="new-key-heading" className="font-semibold text-emerald-950">
            {state.created.replaces
              ? `Key ${state.created.replaces} was revoked and replaced by a new key`
              : 'Your new API key'}
          </h2>
          <p className="text-sm text-emerald-950">
            Copy the secret now: it is shown only once. If you lose it, rotate the key.
          </p>
          <CopyField id="new-consumer-key" label="Consumer key" value={state.created.key} />
          <CopyField id="new-consumer-secret" label="Consumer secret" value={state.created.secret} />
        </section>
      )}
      <SubmitButton pendingText="Creating…" name="intent" value="create">
        Create API key
      </SubmitButton>
    </form>
  );
}
