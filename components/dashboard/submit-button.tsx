'use client';

import { useFormStatus } from 'react-dom';
import { type ButtonVariant, buttonClass } from './fields';

/** A submit button that says what is happening while the server works (plain forms just submit). */
export function SubmitButton({
  children,
  pendingText,
  variant = 'primary',
  name,
  value,
}: {
  children: string;
  pendingText?: string;
  variant?: ButtonVariant;
  name?: string;
  value?: string;
}) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      name={name}
      value={value}
      aria-disabled={pending}
      className={buttonClass[variant]}
      onClick={(event) => {
        if (pending) event.preventDefault();
      }}
    >
      {pending && (
        <span
          aria-hidden="true"
          className="h-4 w-4 animate-spin rounded-full border-2 border-current border-t-transparent"
        />
      )}
      <span>{pending && pendingText ? pendingText : children}</span>
    </button>
  );
}
