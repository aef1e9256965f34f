import { describe, expect, it } from 'vitest';
import { isAccountId, isConnectToken, newAccountId, newConnectToken, newConsumerSecret } from './ids';

describe('ids', () => {
  it('makes Context.IO-shaped ids', () => {
    expect(isAccountId(newAccountId())).toBe(true);
    expect(isConnectToken(newConnectToken())).toBe(true);
    expect(newConsumerSecret()).toMatch(/^[0-9a-zA-Z]{32}$/);
  });

  it('spreads token characters over the whole base-36 alphabet without repeats', () => {
    const tokens = Array.from({ length: 2000 }, newConnectToken);
    expect(new Set(tokens).size).toBe(tokens.length);
    const seen = new Set(tokens.join(''));
    expect(seen.size).toBe(36);
  });
});
