import type { z } from 'zod';

/** One zod error as one sentence naming the parameter and what is expected. */
export function describeZodError(error: z.ZodError, kind: 'parameter' | 'path', rawInput: unknown): string {
  const issue = error.issues[0];
  if (!issue) return `invalid ${kind}`;
  const name = issue.path.map(String).join('.') || kind;
  // zod 4 does not report the input on issues; look the value up to tell "missing" from "wrong".
  let given: unknown = rawInput;
  for (const key of issue.path)
    given = given && typeof given === 'object' ? (given as Record<PropertyKey, unknown>)[key] : undefined;
  if (given === undefined || given === '') return `missing required ${kind} ${name}`;
  return `invalid ${kind} ${name}: ${issue.message}`;
}
