import type { FlowError, FlowField } from '@/lib/connect-flow/schema';

/** The input's link to its error, so a screen reader reads the message with the field. */
export function fieldProps(error: FlowError | null, field: FlowField) {
  const invalid = error?.kind === 'field' && error.field === field;
  return invalid ? { 'aria-invalid': true as const, 'aria-describedby': `${field}-error` } : {};
}

export function FieldError({ error, field }: { error: FlowError | null; field: FlowField }) {
  if (error?.kind !== 'field' || error.field !== field) return null;
  return (
    <p id={`${field}-error`} className="mt-1 text-sm text-red-800">
      {error.message}
    </p>
  );
}
