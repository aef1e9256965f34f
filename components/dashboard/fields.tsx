import { FieldError, inputClass, labelClass } from '@/components/ui/field';

/**
 * Form pieces for the dashboard, usable from server and client components.
 * Every control has a label; an error is tied to its field and announced.
 * The domain-free primitives (buttons, inputs, notices) are in components/ui.
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
