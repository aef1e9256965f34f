/**
 * The connect flow's steps as data: an ordered list, each with the rule that
 * decides whether a token asks it and whether the stored progress completes it.
 * Pure and isomorphic, so the page, the server actions and the tests agree on
 * where an end user is without a database or a browser.
 */

import type { ConnectTokenLevel } from '@/lib/connect-tokens/schema';
import { isEmailAddress } from '@/lib/validation/fields';

/** The steps an end user can be on, in order; reaching the end means the token is used. */
export const STEP_IDS = ['who', 'sign-in'] as const;
export type StepId = (typeof STEP_IDS)[number];

/** What the rules look at: the token's level and email, and the progress stored on the token. */
export interface StepContext {
  level: ConnectTokenLevel;
  /** The address the partner gave with the token: full, a domain (`@example.com`) or empty. */
  tokenEmail: string;
  /** The end user's progress (`connect_flows`), null until the first visit opened the flow. */
  flow: { email: string; server: string } | null;
  /** A finished step the end user went back to (the "Change" link), if any. */
  revisit: StepId | null;
}

interface StepDefinition {
  /** Also the catalogue key of its name in the progress list (`steps.<id>`). */
  id: StepId;
  /** Whether this token asks the step at all (a skipped step is not listed). */
  isAsked(context: StepContext): boolean;
  /** Whether the stored progress already has what the step collects. */
  isDone(context: StepContext): boolean;
  /** Whether the server has prepared what the step shows (the sign-in shows discovered settings). */
  isReady(context: StepContext): boolean;
}

export const CONNECT_STEPS = [
  {
    id: 'who',
    // A re-connect knows its mailbox; a token with a full address skips it (unless a stored flow lost it).
    isAsked: (context) =>
      (context.level !== 'source' && !isEmailAddress(context.tokenEmail)) ||
      (context.flow !== null && !context.flow.email),
    isDone: (context) => !!context.flow?.email && context.revisit !== 'who',
    isReady: () => true,
  },
  {
    id: 'sign-in',
    isAsked: () => true,
    // Done means the token is used: the page shows the "connected" state, never this list.
    isDone: () => false,
    isReady: (context) => !!context.flow?.server,
  },
] as const satisfies readonly StepDefinition[];

/**
 * Where the end user is. `prepare`: the server must first open the flow or
 * discover settings (never during a render: the page redirects through a route
 * handler that does it). `step`: the form to show, with the asked steps for the
 * progress list.
 */
export type ConnectPosition =
  | { kind: 'prepare' }
  | { kind: 'step'; step: StepId; steps: { id: StepId }[]; index: number };

export function positionOf(context: StepContext): ConnectPosition {
  if (!context.flow) return { kind: 'prepare' };
  const asked = CONNECT_STEPS.filter((step) => step.isAsked(context));
  // The last step is never done while the token is unused, so there is always a current one.
  const current = asked.find((step) => !step.isDone(context)) ?? CONNECT_STEPS[1];
  if (!current.isReady(context)) return { kind: 'prepare' };
  return {
    kind: 'step',
    step: current.id,
    steps: asked.map(({ id }) => ({ id })),
    index: asked.indexOf(current),
  };
}

/** `?edit=who` from the "Change" link, as a step to revisit; anything else is ignored. */
export function revisitFrom(query: unknown): StepId | null {
  return query === 'who' ? 'who' : null;
}
