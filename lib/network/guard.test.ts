import { describe, expect, it } from 'vitest';
import { checkHostAllowed, isNonPublicAddress, type ResolveHost } from './guard';

describe('isNonPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'IPv4 loopback'],
    ['127.255.255.254', 'IPv4 loopback, end of 127/8'],
    ['10.1.2.3', 'private 10/8'],
    ['172.16.0.1', 'private 172.16/12, start'],
    ['172.31.255.255', 'private 172.16/12, end'],
    ['192.168.1.1', 'private 192.168/16'],
    ['169.254.169.254', 'cloud metadata service'],
    ['169.254.0.1', 'link-local'],
    ['100.64.0.1', 'CGNAT start'],
    ['100.127.255.255', 'CGNAT end'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast (SSDP)'],
    ['255.255.255.255', 'broadcast'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fe80::1%eth0', 'IPv6 link-local with a zone'],
    ['febf:ffff::1', 'IPv6 link-local, end of fe80::/10'],
    ['fc00::1', 'unique local fc00::/7'],
    ['fd12:3456:789a::1', 'unique local fd00::/8'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex form'],
    ['::ffff:10.0.0.1', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['0:0:0:0:0:ffff:192.168.0.1', 'IPv4-mapped private, long form'],
    ['::127.0.0.1', 'IPv4-compatible loopback'],
    ['64:ff9b::a9fe:a9fe', 'NAT64 of the metadata address'],
    ['2002:a00:1::', '6to4 of 10.0.0.1'],
    ['not-an-ip', 'not an address at all'],
    ['', 'empty'],
  ])('refuses %s (%s)', (address) => {
    expect(isNonPublicAddress(address)).toBe(true);
  });

  it.each([
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['93.184.216.34'],
    ['172.15.255.255'], // just below 172.16/12
    ['172.32.0.1'], // just above 172.16/12
    ['100.63.255.255'], // just below CGNAT
    ['100.128.0.1'], // just above CGNAT
    ['169.253.255.255'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001:80b::200e'],
    ['::ffff:8.8.8.8'],
    ['64:ff9b::808:808'], // NAT64 of 8.8.8.8
    ['2002:808:808::'], // 6to4 of 8.8.8.8
    ['fe00::1'], // below fe80::/10
  ])('allows public %s', (address) => {
    expect(isNonPublicAddress(address)).toBe(false);
  });
});

describe('checkHostAllowed', () => {
  const resolveTo =
    (...addresses: string[]): ResolveHost =>
    async () =>
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

  it('returns the address to connect to for a public name', async () => {
    expect(await checkHostAllowed('mail.example.com', false, { resolve: resolveTo('93.184.216.34') })).toEqual({
      ok: true,
      address: '93.184.216.34',
    });
  });

  it('refuses a name when any of its addresses is private (one bad record is enough)', async () => {
    const resolve = resolveTo('93.184.216.34', '10.0.0.5');
    expect(await checkHostAllowed('rebind.example.com', false, { resolve })).toEqual({
      ok: false,
      failure: 'private_address',
    });
  });

  it('prefers an IPv4 address, since connecting to one address has no happy-eyeballs fallback', async () => {
    const resolve = resolveTo('2606:4700:4700::1111', '1.1.1.1');
    expect(await checkHostAllowed('dual.example.com', false, { resolve })).toEqual({ ok: true, address: '1.1.1.1' });
  });

  it('checks IP literals without DNS, bracketed IPv6 included', async () => {
    const resolve: ResolveHost = async () => {
      throw new Error('DNS must not be asked about an IP literal');
    };
    expect(await checkHostAllowed('169.254.169.254', false, { resolve })).toMatchObject({ failure: 'private_address' });
    expect(await checkHostAllowed('[::1]', false, { resolve })).toMatchObject({ failure: 'private_address' });
    expect(await checkHostAllowed('[::1]', true, { resolve })).toEqual({ ok: true, address: '::1' });
    expect(await checkHostAllowed('8.8.8.8', false, { resolve })).toEqual({ ok: true, address: '8.8.8.8' });
  });

  it('allows private addresses only when asked to', async () => {
    expect(await checkHostAllowed('localhost', true, { resolve: resolveTo('127.0.0.1') })).toEqual({
      ok: true,
      address: '127.0.0.1',
    });
    expect(await checkHostAllowed('localhost', false, { resolve: resolveTo('127.0.0.1') })).toEqual({
      ok: false,
      failure: 'private_address',
    });
  });

  it('reports names that do not resolve, resolve to nothing, or resolve too slowly as unknown_host', async () => {
    const failing: ResolveHost = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    const hanging: ResolveHost = () => new Promise(() => {});
    expect(await checkHostAllowed('nowhere.invalid', false, { resolve: failing })).toEqual({
      ok: false,
      failure: 'unknown_host',
    });
    expect(await checkHostAllowed('empty.example.com', false, { resolve: resolveTo() })).toMatchObject({
      failure: 'unknown_host',
    });
    expect(await checkHostAllowed('', false)).toMatchObject({ failure: 'unknown_host' });
    const started = Date.now();
    expect(await checkHostAllowed('slow.example.com', false, { resolve: hanging, timeoutMs: 100 })).toMatchObject({
      failure: 'unknown_host',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('uses the system resolver by default', async () => {
    expect(await checkHostAllowed('localhost', false)).toEqual({ ok: false, failure: 'private_address' });
    expect(await checkHostAllowed('no-such-host.invalid', false)).toEqual({ ok: false, failure: 'unknown_host' });
  });
});
