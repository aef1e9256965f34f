import { createTranslator } from 'next-intl';
import type { Locale } from './locales';
import de from './messages/de.json';
import en from './messages/en.json';
import es from './messages/es.json';
import fr from './messages/fr.json';
import ja from './messages/ja.json';

/**
 * One catalogue per locale (lib/i18n/messages/<locale>.json). English is the
 * shape every other catalogue must have: the type of every key comes from it,
 * and messages.test.ts fails when a locale misses a key, has an extra one, or a
 * key is used nowhere. Server-side only: no catalogue is sent to the browser.
 */
export type Messages = typeof en;

export const CATALOGUES: Record<Locale, Messages> = { en, de, fr, es, ja };

/**
 * Dates and numbers are formatted by the messages themselves (`{expiredAt, date, long}`,
 * `{max, number}`) for the locale; dates in UTC, which the page says: the server cannot know the reader's zone.
 */
const TIME_ZONE = 'UTC';

export function translatorFor(locale: Locale) {
  return createTranslator({ locale, messages: CATALOGUES[locale], timeZone: TIME_ZONE });
}
export type Translator = ReturnType<typeof translatorFor>;
