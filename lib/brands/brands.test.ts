import { describe, expect, it } from 'vitest';
import { accentContrastProblem, brandStyleSheet, checkLogo, contrastRatio, updateBrandInput } from './schema';

describe('brand accent', () => {
  it('computes WCAG contrast ratios', () => {
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#4338ca', '#ffffff')).toBeGreaterThan(4.5);
  });

  it('refuses an accent unreadable on its theme, with the ratio and which way to go', () => {
    expect(accentContrastProblem('#fbbf24', 'light')).toMatch(/1\.\d\d:1 against the light background.*darker/);
    expect(accentContrastProblem('#fbbf24', 'dark')).toBeNull();
    expect(accentContrastProblem('#1e3a8a', 'dark')).toMatch(/lighter/);
    // system shows the accent on the light scheme only (no colour passes on both).
    expect(accentContrastProblem('#0f766e', 'system')).toBeNull();
    expect(updateBrandInput.safeParse({ accent_color: '#FBBF24', theme: 'light' }).success).toBe(false);
    expect(updateBrandInput.parse({ accent_color: ' #0F766E ', theme: 'light' })).toEqual({
      accent_color: '#0f766e',
      theme: 'light',
    });
    for (const bad of ['red', '#fff', '#12345g', '#0f766e;}body{x:y']) {
      expect(updateBrandInput.safeParse({ accent_color: bad, theme: 'light' }).success, bad).toBe(false);
    }
  });

  it('writes a style sheet only for a well-formed colour', () => {
    expect(brandStyleSheet('#0f766e', 'system')).toBe(
      '@media (prefers-color-scheme: light){[data-theme][data-brand]{--brand-accent:#0f766e;--brand-on-accent:#ffffff}}',
    );
    expect(brandStyleSheet('#fbbf24;}*{', 'dark')).toBe('');
  });
});

describe('logo upload', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
  const webp = new TextEncoder().encode('RIFF\0\0\0\0WEBPVP8 ');
  it('accepts PNG, JPEG and WebP by their bytes and refuses SVG, HTML, empty and oversized files', () => {
    expect(checkLogo(png)).toEqual({ ok: true, type: 'image/png' });
    expect(checkLogo(Uint8Array.from([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ ok: true, type: 'image/jpeg' });
    expect(checkLogo(webp)).toEqual({ ok: true, type: 'image/webp' });
    for (const text of ['<svg xmlns="http://www.w3.org/2000/svg"/>', '<html><script>', 'GIF89a']) {
      expect(checkLogo(new TextEncoder().encode(text)).ok, text).toBe(false);
    }
    expect(checkLogo(new Uint8Array(0)).ok).toBe(false);
    const big = new Uint8Array(256 * 1024 + 1);
    big.set(png);
    expect(checkLogo(big)).toMatchObject({ ok: false, message: expect.stringContaining('256 KB') });
  });
});
