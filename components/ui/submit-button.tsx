'use client';

import { useFormStatus } from 'react-dom';
import { type ButtonSize, type ButtonVariant, buttonClass } from './button';
import { cn } from './cn';

/**
 * The one submit button: it says what is happening while the server works
 * (JavaScript only; without it the form just submits). `aria-disabled` rather
 * than `disabled` keeps it focusable and announced; a second click is swallowed.
 */
export function SubmitButton({
  children,
  pendingText,
  variant = 'primary',
  size = 'md',
  className,
  name,
  value,
}: {
  children: string;
  pendingText?: string;
  variant?: ButtonVariant;
  size?: ButtonSize;
  /** Layout only (width, margins): the look comes from the variant and size. */
  className?: string;
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
      className={cn(buttonClass(variant, size), className)}
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
      <span aria-live="polite">{pending && pendingText ? pendingText : children}</span>
    </button>
  );
}
