import { describe, expect, it } from 'vitest';
import { positionOf, revisitFrom, type StepContext } from './steps';

/** Where an end user lands for each kind of token and progress: the rules of CONNECT_STEPS. */

const context = (overrides: Partial<StepContext>): StepContext => ({
  level: 'top',
  tokenEmail: '',
  flow: { email: '', server: '' },
  revisit: null,
  ...overrides,
});
const both = [{ id: 'who' }, { id: 'sign-in' }];
const signInOnly = [{ id: 'sign-in' }];

describe('connect flow steps', () => {
  it('sends a first visit to the server to open the flow, whatever the token', () => {
    for (const level of ['top', 'account', 'source'] as const) {
      expect(positionOf(context({ level, flow: null }))).toEqual({ kind: 'prepare' });
    }
  });

  it('asks "who" first when the partner gave no full address, then signs in once settings are found', () => {
    expect(positionOf(context({}))).toEqual({ kind: 'step', step: 'who', steps: both, index: 0 });
    expect(positionOf(context({ tokenEmail: '@example.com' }))).toMatchObject({ step: 'who', index: 0 });
    // Email given, discovery not run yet: the server prepares the settings first.
    expect(positionOf(context({ flow: { email: 'jane@example.com', server: '' } }))).toEqual({ kind: 'prepare' });
    expect(positionOf(context({ flow: { email: 'jane@example.com', server: 'imap.example.com' } }))).toEqual({
      kind: 'step',
      step: 'sign-in',
      steps: both,
      index: 1,
    });
  });

  it('skips "who" for a token with a full address and for a re-connect', () => {
    const flow = { email: 'jane@example.com', server: 'imap.example.com' };
    for (const known of [context({ tokenEmail: 'jane@example.com', flow }), context({ level: 'source', flow })]) {
      expect(positionOf(known)).toEqual({ kind: 'step', step: 'sign-in', steps: signInOnly, index: 0 });
      // "Change" is not offered, and ?edit=who does not bring back a skipped step.
      expect(positionOf({ ...known, revisit: 'who' })).toMatchObject({ step: 'sign-in', steps: signInOnly });
    }
  });

  it('goes back to "who" on the Change link, even while settings are still missing', () => {
    for (const server of ['imap.example.com', '']) {
      expect(positionOf(context({ flow: { email: 'jane@example.com', server }, revisit: revisitFrom('who') }))).toEqual(
        { kind: 'step', step: 'who', steps: both, index: 0 },
      );
    }
    expect(revisitFrom('sign-in')).toBeNull();
    expect(revisitFrom(['who', 'who'])).toBeNull();
    expect(revisitFrom(undefined)).toBeNull();
  });

  it('asks "who" again when a stored flow has lost its address, rather than looping through the server', () => {
    expect(positionOf(context({ tokenEmail: 'jane@example.com', flow: { email: '', server: '' } }))).toMatchObject({
      kind: 'step',
      step: 'who',
    });
  });
});
