import { describe, expect, it } from 'vitest';
import { backoffDelay } from '@/lib/mailbox-sync/live';
import { connectionLimiter } from './live-sync';

/** The live sync's reconnect backoff and its per-server connection limit (pure, no peers needed). */

describe('reconnect backoff', () => {
  it('doubles per failure up to the cap, each delay jittered between half and all of it', () => {
    const policy = { baseMs: 1000, maxMs: 60_000 };
    for (let attempt = 0; attempt < 12; attempt++) {
      const ceiling = Math.min(60_000, 1000 * 2 ** attempt);
      const delays = Array.from({ length: 200 }, () => backoffDelay(attempt, policy));
      for (const delay of delays) {
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
      // Jittered: many sources failing together do not retry in step.
      expect(new Set(delays.map(Math.round)).size).toBeGreaterThan(100);
    }
  });
});

describe('connections per IMAP server', () => {
  it('holds the limit per host:port, hands slots over in order, and lets a stopped waiter go', async () => {
    const acquire = connectionLimiter(2);
    const never = new AbortController().signal;
    const first = await acquire('imap.a:993', never);
    const second = await acquire('imap.a:993', never);
    // Another server has its own slots.
    const other = await acquire('imap.b:993', never);

    const granted: string[] = [];
    const third = acquire('imap.a:993', never).then((release) => {
      granted.push('third');
      return release;
    });
    const stopped = new AbortController();
    const cancelled = acquire('imap.a:993', stopped.signal).then(() => granted.push('cancelled'));
    const fourth = acquire('imap.a:993', never).then((release) => {
      granted.push('fourth');
      return release;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toEqual([]);

    stopped.abort();
    await cancelled;
    first();
    (await third)();
    await fourth;
    // The cancelled waiter got no slot: the released ones went to the next in line.
    expect(granted).toEqual(['cancelled', 'third', 'fourth']);
    second();
    other();
  });
});
