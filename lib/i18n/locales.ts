import { z } from 'zod';

/**
 * The languages of the connect pages. Isomorphic and dependency-free, so the
 * token schema, the proxy (for `<html lang>`) and the pages agree on one list.
 */
export const LOCALES = ['en', 'de', 'fr', 'es', 'ja'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

/** Set by proxy.ts on a connect page's request (never taken from the client): the root layout's `<html lang>`. */
export const LOCALE_HEADER = 'x-mailport-locale';

/** None of ours is right-to-left yet; a locale such as `ar` or `he` goes here when added. */
const RIGHT_TO_LEFT: ReadonlySet<string> = new Set([]);

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

/** The supported locale a BCP 47 tag asks for (`de-AT` → `de`, `JA` → `ja`), or null. */
export function matchLocale(tag: string): Locale | null {
  const language = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return isLocale(language) ? language : null;
}

/**
 * The locales an `Accept-Language` header asks for, best first (q-values
 * honoured, `q=0` and malformed entries ignored), mapped to the supported ones.
 */
export function localesFromAcceptLanguage(header: string | null | undefined): Locale[] {
  if (!header) return [];
  const ranked = header
    .slice(0, 1000)
    .split(',')
    .map((entry, index) => {
      const [tag = '', ...parameters] = entry.trim().split(';');
      const q = parameters.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find(Boolean);
      return { locale: matchLocale(tag), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry): entry is { locale: Locale; q: number; index: number } => entry.locale !== null && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return [...new Set(ranked.map((entry) => entry.locale))];
}

/** The token's `locale` if it has one, then the browser's `Accept-Language`, then English. */
export function resolveLocale(
  tokenLocale: string | null | undefined,
  acceptLanguage: string | null | undefined,
): Locale {
  if (isLocale(tokenLocale)) return tokenLocale;
  return localesFromAcceptLanguage(acceptLanguage)[0] ?? DEFAULT_LOCALE;
}

export function directionOf(locale: string): 'ltr' | 'rtl' {
  return RIGHT_TO_LEFT.has(locale) ? 'rtl' : 'ltr';
}

/**
 * The `locale` a partner may give on a connect token: one of ours, in any case
 * and with any region (`de-CH` is stored as `de`); anything else is a 400 that
 * lists the choices, rather than a page silently in English.
 */
export const localeParam = z.preprocess(
  (value) => (value === '' || value === null ? undefined : value),
  z
    .string({ error: `expected one of ${LOCALES.join(', ')}` })
    .max(35, `expected one of ${LOCALES.join(', ')}`)
    .transform((value, context) => {
      const locale = /^[a-z]{2,3}(?:[-_][a-z0-9]{1,8})*$/i.test(value) ? matchLocale(value) : null;
      if (locale) return locale;
      context.addIssue({
        code: 'custom',
        message: `expected one of ${LOCALES.join(', ')} (a BCP 47 tag such as de-AT)`,
      });
      return z.NEVER;
    })
    .optional(),
);
