import { FieldError } from '@/components/ui/field';
import type { FlowError, FlowField } from '@/lib/connect-flow/schema';

/** The input's link to its error, so a screen reader reads the message with the field. */
export function fieldProps(error: FlowError | null, field: FlowField) {
  const invalid = error?.kind === 'field' && error.field === field;
  return invalid ? { 'aria-invalid': true as const, 'aria-describedby': `${field}-error` } : {};
}

/** The flow's stored error, shown under its field only (`message`: already in the end user's language). */
export function FlowFieldError({
  error,
  field,
  message,
}: {
  error: FlowError | null;
  field: FlowField;
  message: string;
}) {
  return <FieldError name={field} error={error?.kind === 'field' && error.field === field ? message : undefined} />;
}
