import type { z } from 'zod';
import type { FormState } from '@/components/dashboard/fields';
import { describeZodIssuesByField } from '@/lib/validation/zod-errors';

/** The submitted text fields, to re-fill the form after an error (never passwords). */
export function formValues(formData: FormData, omit: string[] = []): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of formData.entries()) {
    if (typeof value === 'string' && !name.startsWith('$') && name !== 'csrf' && !omit.includes(name)) {
      values[name] = value;
    }
  }
  return values;
}

/** A failed zod parse as form state: the summary names the first problem, each field gets its own. */
export function invalidForm(
  error: z.ZodError,
  raw: Record<string, unknown>,
  values: Record<string, string>,
  style: 'api' | 'plain' = 'plain',
): FormState {
  let fieldErrors: Record<string, string> = {};
  if (style === 'api') fieldErrors = describeZodIssuesByField(error, raw);
  else for (const issue of error.issues) fieldErrors[issue.path.map(String).join('.')] ??= issue.message;
  const first = Object.values(fieldErrors)[0];
  return { error: first ?? 'Check the form and try again.', fieldErrors, values };
}
