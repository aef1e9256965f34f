import { describe, expect, it } from 'vitest';
import { clientAddressFrom, resolveClientAddress, UNKNOWN_CLIENT_ADDRESS } from './client-address';

describe('resolveClientAddress', () => {
  it('is the socket peer without trusted proxies, whatever X-Forwarded-For claims', () => {
    expect(resolveClientAddress('203.0.113.7', '198.51.100.1', 0)).toBe('203.0.113.7');
    expect(resolveClientAddress('::ffff:203.0.113.7', undefined, 0)).toBe('203.0.113.7');
    expect(resolveClientAddress('2001:db8::1', undefined, 0)).toBe('2001:db8::1');
    expect(resolveClientAddress(undefined, '198.51.100.1', 0)).toBe(UNKNOWN_CLIENT_ADDRESS);
  });

  it('behind N proxies is the entry N from the right: spoofed entries on the left are ignored', () => {
    const forwarded = '10.9.9.9, 198.51.100.1, 192.0.2.10';
    expect(resolveClientAddress('192.0.2.1', forwarded, 1)).toBe('192.0.2.10');
    expect(resolveClientAddress('192.0.2.1', forwarded, 2)).toBe('198.51.100.1');
    // Several header lines are one list.
    expect(resolveClientAddress('192.0.2.1', ['10.9.9.9', '198.51.100.1 , 192.0.2.10'], 2)).toBe('198.51.100.1');
  });

  it('takes the leftmost entry when there are fewer entries than hops, and the peer when there are none', () => {
    expect(resolveClientAddress('192.0.2.1', '198.51.100.1, 192.0.2.10', 5)).toBe('198.51.100.1');
    expect(resolveClientAddress('192.0.2.1', undefined, 1)).toBe('192.0.2.1');
    expect(resolveClientAddress('192.0.2.1', ' , ', 1)).toBe('192.0.2.1');
  });

  it('round-trips through the header the handlers read', () => {
    const headers = new Headers({ 'x-mailport-client-address': resolveClientAddress('::ffff:127.0.0.1', '', 0) });
    expect(clientAddressFrom(headers)).toBe('127.0.0.1');
  });
});
