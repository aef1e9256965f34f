import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { LinkNotFound } from '@/components/connect/link-states';
import { DEFAULT_LOCALE, isLocale, LOCALE_HEADER, resolveLocale } from '@/lib/i18n/locales';
import { translatorFor } from '@/lib/i18n/messages';

/** The title in the page's language: the one proxy.ts chose for `<html lang>` from Accept-Language. */
export async function generateMetadata(): Promise<Metadata> {
  const asked = (await headers()).get(LOCALE_HEADER);
  const t = translatorFor(isLocale(asked) ? asked : DEFAULT_LOCALE);
  return { title: { absolute: `${t('links.notFoundTitle')} — Mailport` }, robots: { index: false } };
}

/** A provider response whose state names no connect token (mangled or forged): nothing to go back to. */
export default async function OAuthInvalidPage() {
  const acceptLanguage = (await headers()).get('accept-language');
  return <LinkNotFound t={translatorFor(resolveLocale('', acceptLanguage))} />;
}
