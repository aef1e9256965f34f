import { describe, expect, it } from 'vitest';
import {
  createNonce,
  formActionSourceFor,
  pageContentSecurityPolicy,
  STATIC_SECURITY_HEADERS,
  securityHeaders,
} from './security-headers';

describe('security headers', () => {
  it('adds HSTS only when the public URL is https', () => {
    expect(Object.fromEntries(securityHeaders('https://mail.example.com'))).toMatchObject({
      'Strict-Transport-Security': 'max-age=31536000',
      'X-Frame-Options': 'DENY',
    });
    expect(Object.fromEntries(securityHeaders('http://localhost:3000'))['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders('http://localhost:3000')).toEqual(STATIC_SECURITY_HEADERS);
  });

  it('denies camera, microphone and geolocation, and keeps clipboard-write for the copy buttons', () => {
    const policy = Object.fromEntries(STATIC_SECURITY_HEADERS)['Permissions-Policy'];
    for (const feature of ['camera=()', 'microphone=()', 'geolocation=()', 'payment=()']) {
      expect(policy).toContain(feature);
    }
    expect(policy).not.toContain('clipboard-write');
  });

  it('builds a page CSP with the nonce and the extra form-action sources, eval only in development', () => {
    const nonce = createNonce();
    expect(nonce).not.toBe(createNonce());
    const csp = pageContentSecurityPolicy({ nonce, formActionSources: ['https://app.example.com'] });
    expect(csp).toContain(`script-src 'self' 'nonce-${nonce}'; `);
    expect(csp).toContain("form-action 'self' https://app.example.com; ");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    expect(pageContentSecurityPolicy({ nonce, isDevelopment: true })).toContain("'unsafe-eval'");
  });

  it('turns a callback URL into the smallest CSP source that allows redirecting there', () => {
    expect(formActionSourceFor('https://App.Example.com:8443/done?x=1#y')).toBe('https://app.example.com:8443');
    expect(formActionSourceFor('http://127.0.0.1:4000/cb')).toBe('http://127.0.0.1:4000');
    expect(formActionSourceFor('myapp://connected')).toBe('myapp:');
    expect(formActionSourceFor('com.example.app:/callback')).toBe('com.example.app:');
    expect(formActionSourceFor('not a url')).toBeNull();
    // Nothing that could end a source or a directive reaches the policy.
    expect(formActionSourceFor("https://a;b.example.com/'x'")).toBeNull();
  });
});
