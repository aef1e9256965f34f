import type { z } from 'zod';

/** One zod error as one sentence naming the parameter and what is expected. */
export function describeZodError(error: z.ZodError, kind: 'parameter' | 'path', rawInput: unknown): string {
  const issue = error.issues[0];
  if (!issue) return `invalid ${kind}`;
  return describeZodIssue(issue, kind, rawInput);
}

/** Every field's first problem, in the API's words: the dashboard's forms show them beside the fields. */
export function describeZodIssuesByField(error: z.ZodError, rawInput: unknown): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.');
    messages[field] ??= describeZodIssue(issue, 'parameter', rawInput);
  }
  return messages;
}

function describeZodIssue(issue: z.core.$ZodIssue, kind: 'parameter' | 'path', rawInput: unknown): string {
  const name = issue.path.map(String).join('.') || kind;
  // zod 4 does not report the input on issues; look the value up to tell "missing" from "wrong".
  let given: unknown = rawInput;
  for (const key of issue.path)
    given = given && typeof given === 'object' ? (given as Record<PropertyKey, unknown>)[key] : undefined;
  if (given === undefined || given === '') return `missing required ${kind} ${name}`;
  return `invalid ${kind} ${name}: ${issue.message}`;
}
