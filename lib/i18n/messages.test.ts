import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIELD_PROBLEMS, FLOW_ERROR_CODES } from '@/lib/connect-flow/schema';
import { STEP_IDS } from '@/lib/connect-flow/steps';
import { CONNECT_TOKEN_LEVELS } from '@/lib/connect-tokens/schema';
import { PROVIDERS } from '@/lib/discovery/providers';
import { directionOf, LOCALES, localeParam, localesFromAcceptLanguage, resolveLocale } from './locales';
import { CATALOGUES, translatorFor } from './messages';

const root = path.join(import.meta.dirname, '../..');

/** Every leaf key of a catalogue, dotted: `errors.auth_failed`. */
function keysOf(node: unknown, prefix = ''): string[] {
  if (typeof node === 'string') return [prefix];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) =>
    keysOf(value, prefix ? `${prefix}.${key}` : key),
  );
}

/** The ICU arguments a message names (`{appName}`, `{hours, number}`) and its tags (`<strong>`). */
function placeholdersOf(message: string): string[] {
  const names = [...message.matchAll(/\{\s*([a-zA-Z]+)\s*[,}]/g)].map((match) => match[1]);
  const tags = [...message.matchAll(/<([a-z]+)>/g)].map((match) => `<${match[1]}>`);
  return [...names, ...tags].sort() as string[];
}

function valueAt(catalogue: unknown, key: string): string {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], catalogue) as string;
}

/** The source that may use catalogue keys: the connect pages, their components and the layout. */
function sourceFiles(directory: string): string[] {
  return readdirSync(path.join(root, directory), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.test.ts'))
    .map((file) => readFileSync(path.join(root, directory, file), 'utf8'));
}

const englishKeys = keysOf(CATALOGUES.en).sort();

describe('the catalogues', () => {
  it('has one catalogue file per locale, and no other', () => {
    const files = readdirSync(path.join(import.meta.dirname, 'messages')).sort();
    expect(files).toEqual(LOCALES.map((locale) => `${locale}.json`).sort());
  });

  it.each(LOCALES)('%s has exactly the English keys, each non-empty with the same placeholders', (locale) => {
    const keys = keysOf(CATALOGUES[locale]).sort();
    expect(
      keys.filter((key) => !englishKeys.includes(key)),
      'extra keys',
    ).toEqual([]);
    expect(
      englishKeys.filter((key) => !keys.includes(key)),
      'missing keys',
    ).toEqual([]);
    for (const key of englishKeys) {
      const message = valueAt(CATALOGUES[locale], key);
      expect(message.trim(), key).not.toBe('');
      expect(placeholdersOf(message), `${locale} ${key}`).toEqual(placeholdersOf(valueAt(CATALOGUES.en, key)));
      // Every message parses and formats (an ICU syntax error would throw or fall back to the key).
      const values = { appName: 'A', server: 's', expected: 'e', email: 'e', provider: 'P', label: 'l' };
      const formatted = translatorFor(locale).markup(
        key as never,
        {
          ...values,
          number: 1,
          hours: 24,
          minutes: 15,
          max: 100,
          min: 1,
          expiredAt: new Date(0),
          app: (chunks: string) => chunks,
          strong: (chunks: string) => chunks,
        } as never,
      );
      expect(formatted, `${locale} ${key}`).not.toBe(key);
    }
  });

  it('uses every key somewhere, so the catalogues hold no dead text', () => {
    const source = [...sourceFiles('app'), ...sourceFiles('components/connect')].join('\n');
    // Keys built from a code list: the codes must each have one, and are used through that list.
    const generated = new Set([
      ...FLOW_ERROR_CODES.map((code) => `errors.${code}`),
      ...FIELD_PROBLEMS.map((problem) => `fieldProblems.${problem}`),
      ...STEP_IDS.map((id) => `steps.${id}`),
      ...CONNECT_TOKEN_LEVELS.map((level) => `titles.${level}`),
      ...['connectedTitle', 'cancelledTitle', 'errorTitle'].map((title) => `finish.${title}`),
      ...englishKeys.filter((key) => key.startsWith('providerNotes.')),
      // Each OAuth2 failure has a page of its own (components/connect/oauth-sign-in.tsx).
      ...FLOW_ERROR_CODES.filter((code) => code.startsWith('oauth_')).flatMap((code) => [
        `oauth.failures.${code}.title`,
        `oauth.failures.${code}.body`,
      ]),
    ]);
    for (const key of generated) expect(englishKeys, key).toContain(key);
    const unused = englishKeys.filter((key) => !generated.has(key) && !source.includes(`'${key}'`));
    expect(unused).toEqual([]);
  });

  it('has the notes of every provider the connect page can show, as many as the provider has', () => {
    const seen = new Set<string>();
    for (const provider of PROVIDERS) {
      // The page shows the first provider of a key (findProviderByKey).
      if (seen.has(provider.key)) continue;
      seen.add(provider.key);
      const notes = (CATALOGUES.en.providerNotes as Record<string, Record<string, string>>)[provider.key] ?? {};
      expect(Object.keys(notes).length, provider.key).toBe(provider.notes.length);
      // The English catalogue says what the provider table says (the API's discovery answers with the table).
      expect(Object.values(notes), provider.key).toEqual(provider.notes);
    }
  });
});

describe('choosing the locale', () => {
  it('takes the token’s locale, then Accept-Language by quality, then English', () => {
    expect(resolveLocale('ja', 'de-DE,de;q=0.9')).toBe('ja');
    expect(resolveLocale('', 'fr-CH, fr;q=0.9, en;q=0.8')).toBe('fr');
    expect(resolveLocale('', 'pt-BR, es;q=0.5, de;q=0.7')).toBe('de');
    expect(resolveLocale('', 'ja;q=0, es;q=0.1')).toBe('es');
    expect(resolveLocale('', 'zz, *;q=0.5')).toBe('en');
    expect(resolveLocale(null, null)).toBe('en');
    expect(resolveLocale('xx', 'es')).toBe('es');
    expect(localesFromAcceptLanguage('de;q=abc, fr')).toEqual(['de', 'fr']);
    expect(directionOf('ja')).toBe('ltr');
  });

  it('validates the token parameter: any case and region of ours, anything else refused', () => {
    expect(localeParam.parse('de-AT')).toBe('de');
    expect(localeParam.parse('JA')).toBe('ja');
    expect(localeParam.parse('es_MX')).toBe('es');
    expect(localeParam.parse('')).toBeUndefined();
    for (const bad of ['pt', 'english', 'de-', '<script>', 'x'.repeat(40), 42]) {
      expect(localeParam.safeParse(bad).success, String(bad)).toBe(false);
    }
  });

  it('formats dates and numbers for the locale', () => {
    const expiredAt = new Date(Date.UTC(2026, 0, 31, 13, 5));
    const body = (locale: (typeof LOCALES)[number]) =>
      translatorFor(locale)('links.expiredBody', { appName: 'A', hours: 24, expiredAt });
    expect(body('en')).toContain('January 31, 2026');
    expect(body('de')).toContain('31. Januar 2026');
    expect(body('fr')).toContain('31 janvier 2026');
    expect(body('es')).toContain('31 de enero de 2026');
    expect(body('ja')).toContain('2026年1月31日');
    expect(translatorFor('de')('fieldProblems.port_range', { min: 1, max: 65535 })).toContain('65.535');
  });
});
