import { z } from 'zod';

/**
 * A developer's brand on the connect pages: accent colour, theme and logo (the
 * display name is developers.app_name). Pure and isomorphic: the dashboard form,
 * the API and the pages share the contrast rule and the logo checks.
 */

export const BRAND_THEMES = ['light', 'dark', 'system'] as const;
export type BrandTheme = (typeof BRAND_THEMES)[number];

/** The page backgrounds the accent must be readable on (the card of each scheme: white, slate-900). */
export const THEME_BACKGROUNDS = { light: '#ffffff', dark: '#0f172a' } as const;
/** WCAG 2.2 AA for normal text (1.4.3): the accent is text colour and button fill on that background. */
export const MIN_ACCENT_CONTRAST = 4.5;

/** The schemes an accent is shown on: `system` shows it on the light scheme and keeps Mailport's own in dark. */
export function accentSchemes(theme: BrandTheme): Array<keyof typeof THEME_BACKGROUNDS> {
  return theme === 'dark' ? ['dark'] : ['light'];
}

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of `#rrggbb`. */
export function relativeLuminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16);
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

/** WCAG contrast ratio of two `#rrggbb` colours, 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

export const HEX_COLOUR = /^#[0-9a-f]{6}$/;

/** The accent's problem on a theme, or null when it reads well on every scheme it is shown on. */
export function accentContrastProblem(accent: string, theme: BrandTheme): string | null {
  for (const scheme of accentSchemes(theme)) {
    const background = THEME_BACKGROUNDS[scheme];
    const ratio = contrastRatio(accent, background);
    if (ratio < MIN_ACCENT_CONTRAST) {
      return `The accent colour ${accent} has a contrast of ${ratio.toFixed(2)}:1 against the ${scheme} background (${background}); text and buttons need at least ${MIN_ACCENT_CONTRAST}:1. Choose a ${scheme === 'light' ? 'darker' : 'lighter'} colour.`;
    }
  }
  return null;
}

const accentColor = z
  .string({ error: 'expected a colour such as #1d4ed8' })
  .trim()
  .toLowerCase()
  .refine(
    (value) => value === '' || HEX_COLOUR.test(value),
    'expected a colour such as #1d4ed8 (#rrggbb), or empty for the default',
  );

/** The brand settings from the dashboard (Settings); the contrast is checked against the theme. */
export const updateBrandInput = z
  .object({
    accent_color: accentColor.meta({
      description: `#rrggbb, at least ${MIN_ACCENT_CONTRAST}:1 against the theme's background (light #ffffff, dark #0f172a); empty for Mailport's own.`,
    }),
    theme: z.enum(BRAND_THEMES, { error: `expected one of ${BRAND_THEMES.join(', ')}` }).meta({
      description: 'light, dark, or system (follows the end user; the accent is then used on the light scheme).',
    }),
  })
  .superRefine((value, context) => {
    const problem = value.accent_color ? accentContrastProblem(value.accent_color, value.theme) : null;
    if (problem) context.addIssue({ code: 'custom', path: ['accent_color'], message: problem });
  });
export type UpdateBrandInput = z.output<typeof updateBrandInput>;

/** Logos: raster images only (no SVG: it can carry script), recognised by their first bytes, not their name. */
export const MAX_LOGO_BYTES = 256 * 1024;
export const LOGO_TYPES = ['image/png', 'image/jpeg', 'image/webp'] as const;
export type LogoType = (typeof LOGO_TYPES)[number];

/** The image type the bytes really are, or null. */
export function sniffLogoType(bytes: Uint8Array): LogoType | null {
  const starts = (signature: number[], offset = 0) => signature.every((byte, index) => bytes[offset + index] === byte);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (starts([0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  return null;
}

export type LogoCheck = { ok: true; type: LogoType } | { ok: false; message: string };

export function checkLogo(bytes: Uint8Array): LogoCheck {
  if (bytes.length === 0) return { ok: false, message: 'Choose an image file for the logo.' };
  if (bytes.length > MAX_LOGO_BYTES) {
    return { ok: false, message: `The logo is too large: use an image of at most ${MAX_LOGO_BYTES / 1024} KB.` };
  }
  const type = sniffLogoType(bytes);
  if (!type) return { ok: false, message: 'The logo must be a PNG, JPEG or WebP image (SVG is not accepted).' };
  return { ok: true, type };
}

/** Where we serve a logo; the id changes with each upload, so the response can be cached for good. */
export const logoPath = (logoId: string) => `/brand-logos/${logoId}`;
export const LOGO_ID_PATTERN = /^[0-9a-f]{32}$/;

/**
 * The CSS the connect pages add for a brand: the accent as custom properties
 * (the page's `bg-accent`/`text-on-accent` utilities read them), on the schemes
 * it was checked for; two attributes outrank the theme's own `[data-theme=…]`.
 * The colour is `#rrggbb` by then, so it cannot break out of the rule.
 */
export function brandStyleSheet(accent: string, theme: BrandTheme): string {
  if (!HEX_COLOUR.test(accent)) return '';
  const onAccent = theme === 'dark' ? THEME_BACKGROUNDS.dark : THEME_BACKGROUNDS.light;
  const rule = `[data-theme][data-brand]{--brand-accent:${accent};--brand-on-accent:${onAccent}}`;
  return theme === 'system' ? `@media (prefers-color-scheme: light){${rule}}` : rule;
}

/**
 * Where the pages load that CSS from: a same-origin stylesheet (style-src
 * 'self'), not a nonce'd inline style, because a page re-rendered by a form
 * action carries a new nonce the document's policy does not know. The address
 * holds all the sheet depends on, so it needs no database and caches for good.
 */
export function brandStylePath(accent: string, theme: BrandTheme): string | null {
  return HEX_COLOUR.test(accent) ? `/connect-brand.css?accent=${accent.slice(1)}&theme=${theme}` : null;
}
