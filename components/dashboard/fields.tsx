import type { ReactNode } from 'react';
import { cn } from '@/components/ui/cn';

export { ErrorSummary } from '@/components/ui/error-summary';

/**
 * Form pieces for the dashboard, usable from server and client components.
 * Every control has a label; an error is tied to its field and announced.
 */

/**
 * What a dashboard form's server action returns to useActionState (the one
 * definition): nothing yet, or the problem with the values to show again. Successes usually redirect.
 */
export type FormState = {
  error?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
};

export const inputClass =
  'mt-1 block w-full min-w-0 rounded-md border border-slate-400 bg-white px-3 py-2 text-base text-slate-900 focus:border-indigo-700 focus:outline focus:outline-2 focus:outline-indigo-700 aria-[invalid=true]:border-red-700';
export const labelClass = 'block text-sm font-medium text-slate-900';

const buttonBase =
  'inline-flex items-center justify-center gap-2 rounded-md px-4 py-2 font-semibold focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 aria-disabled:cursor-wait aria-disabled:opacity-80';
export const buttonClass = {
  primary: cn(buttonBase, 'bg-indigo-700 text-white hover:bg-indigo-800 focus-visible:outline-indigo-700'),
  secondary: cn(
    buttonBase,
    'border border-slate-400 bg-white text-slate-900 hover:bg-slate-100 focus-visible:outline-indigo-700',
  ),
  danger: cn(buttonBase, 'border border-red-700 bg-white text-red-800 hover:bg-red-50 focus-visible:outline-red-700'),
} as const;
export type ButtonVariant = keyof typeof buttonClass;

export function Notice({ children, tone = 'success' }: { children: ReactNode; tone?: 'success' | 'info' }) {
  return (
    <div
      role="status"
      className={cn(
        'mb-5 rounded-md border p-3 text-sm',
        tone === 'success'
          ? 'border-emerald-300 bg-emerald-50 text-emerald-950'
          : 'border-sky-300 bg-sky-50 text-sky-950',
      )}
    >
      {children}
    </div>
  );
}

interface FieldProps {
  name: string;
  label: string;
  state?: FormState;
  hint?: string;
  type?: 'text' | 'email' | 'password' | 'url' | 'search';
  defaultValue?: string;
  required?: boolean;
  autoComplete?: string;
  maxLength?: number;
  minLength?: number;
  optional?: boolean;
}

export function TextField({
  name,
  label,
  state,
  hint,
  type = 'text',
  defaultValue,
  required,
  autoComplete,
  maxLength,
  minLength,
  optional,
}: FieldProps) {
  const error = state?.fieldErrors?.[name];
  const describedBy = [hint && `${name}-hint`, error && `${name}-error`].filter(Boolean).join(' ') || undefined;
  return (
    <div>
      <label htmlFor={name} className={labelClass}>
        {label}
        {optional && <span className="font-normal text-slate-600"> (optional)</span>}
      </label>
      {hint && (
        <p id={`${name}-hint`} className="mt-1 text-sm text-slate-600">
          {hint}
        </p>
      )}
      <input
        id={name}
        name={name}
        type={type}
        required={required}
        autoComplete={autoComplete}
        maxLength={maxLength}
        minLength={minLength}
        // Passwords are never sent back to the page.
        defaultValue={type === 'password' ? undefined : (state?.values?.[name] ?? defaultValue)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={inputClass}
      />
      <FieldError name={name} error={error} />
    </div>
  );
}

export function FieldError({ name, error }: { name: string; error?: string }) {
  if (!error) return null;
  return (
    <p id={`${name}-error`} className="mt-1 text-sm text-red-800">
      {error}
    </p>
  );
}
