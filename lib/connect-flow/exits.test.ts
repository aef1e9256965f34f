import { describe, expect, it } from 'vitest';
import { exitUrl, popupMessageFor, popupTargetOrigin } from './exits';
import { isAcceptedEmail, isAcceptedLogin, pinnedAddress } from './pinning';

const row = {
  id: 'abcdefghijklmnop',
  callbackUrl: 'https://partner.example.com/back?user=1',
  mode: 'redirect' as const,
  redirectOnError: false,
};

describe('where the flow ends', () => {
  it('redirect mode: connected and cancelled go back as before; expired and used only with redirect_on_error', () => {
    expect(exitUrl(row, 'connected')).toBe('https://partner.example.com/back?user=1&contextio_token=abcdefghijklmnop');
    expect(exitUrl(row, 'cancelled')).toBe(
      'https://partner.example.com/back?user=1&contextio_token=abcdefghijklmnop&error=cancelled',
    );
    expect(exitUrl(row, 'expired')).toBeNull();
    expect(exitUrl(row, 'already_used')).toBeNull();
    const opted = { ...row, redirectOnError: true };
    const expired = new URL(exitUrl(opted, 'expired') ?? '');
    expect(Object.fromEntries(expired.searchParams)).toEqual({
      user: '1',
      contextio_token: 'abcdefghijklmnop',
      error: 'expired',
      error_description: 'The connect token has expired.',
    });
    expect(new URL(exitUrl(opted, 'already_used') ?? '').searchParams.get('error')).toBe('already_used');
    expect(new URL(exitUrl(opted, 'cancelled') ?? '').searchParams.get('error_description')).toMatch(/cancelled/);
  });

  it('popup mode: every exit goes to the finish page, which posts to the callback origin only', () => {
    const popup = { ...row, mode: 'popup' as const, redirectOnError: true };
    for (const exit of ['connected', 'cancelled', 'expired', 'already_used'] as const) {
      expect(exitUrl(popup, exit)).toBe('/connect/abcdefghijklmnop/finish');
    }
    expect(popupTargetOrigin('https://partner.example.com:8443/x?y')).toBe('https://partner.example.com:8443');
    expect(popupTargetOrigin('myapp://done')).toBeNull();
    expect(popupMessageFor('already_used', 't')).toMatchObject({ type: 'connected' });
    expect(popupMessageFor('expired', 't')).toMatchObject({ type: 'error', error: 'expired' });
  });
});

describe('identity pinning', () => {
  const source = { email: '', targetSource: { email: 'Jane@Example.com', username: 'jdoe' } };
  const full = { email: 'jane@example.com', targetSource: null };
  const domain = { email: '@example.com', targetSource: null };
  const open = { email: '', targetSource: null };

  it('pins re-connects to the source, full emails to themselves, @domain to the domain only', () => {
    expect(pinnedAddress(source)).toBe('jane@example.com');
    expect(pinnedAddress(full)).toBe('jane@example.com');
    expect(pinnedAddress(domain)).toBeNull();
    expect(isAcceptedEmail(full, 'JANE@example.com')).toBe(true);
    expect(isAcceptedEmail(full, 'eve@example.com')).toBe(false);
    expect(isAcceptedEmail(domain, 'eve@example.com')).toBe(true);
    expect(isAcceptedEmail(domain, 'eve@evil.example')).toBe(false);
    expect(isAcceptedEmail(open, 'anyone@anywhere.test')).toBe(true);
  });

  it('accepts the pinned address, its local part or the source’s username as the login, nothing else', () => {
    for (const login of ['jane@example.com', ' JANE@EXAMPLE.COM ', 'jane', 'jdoe']) {
      expect(isAcceptedLogin(source, login), login).toBe(true);
    }
    expect(isAcceptedLogin(full, 'jdoe')).toBe(false);
    for (const login of ['eve@example.com', 'jane@evil.example', 'eve']) {
      expect(isAcceptedLogin(source, login), login).toBe(false);
      expect(isAcceptedLogin(full, login), login).toBe(false);
    }
    expect(isAcceptedLogin(domain, 'eve@example.com')).toBe(true);
  });
});
