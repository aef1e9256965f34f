import { getConfig } from '@/lib/env';

/**
 * The time the domain sees (token expiry, purge). Real time, unless the operator
 * started the app with MAILPORT_TEST_HOOKS=1, which lets tests move it forward
 * through the local admin channel. OAuth timestamp checks always use real time.
 */

const globalForClock = globalThis as unknown as { __mailportClockOffsetMs?: number };

export function currentTime(): Date {
  return new Date(Date.now() + (globalForClock.__mailportClockOffsetMs ?? 0));
}

export function testHooksEnabled(): boolean {
  return getConfig().testHooks;
}

export function advanceTestClock(milliseconds: number): Date {
  if (!testHooksEnabled()) throw new Error('test hooks are off (MAILPORT_TEST_HOOKS=1 turns them on)');
  globalForClock.__mailportClockOffsetMs = (globalForClock.__mailportClockOffsetMs ?? 0) + milliseconds;
  return currentTime();
}

/** A time as the API shows it: whole Unix seconds, 0 for never (Context.IO's convention). */
export const unixSeconds = (date: Date | null | undefined): number => (date ? Math.floor(date.getTime() / 1000) : 0);
