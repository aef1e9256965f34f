import type { Metadata } from 'next';
import { headers } from 'next/headers';
import { LinkNotFound } from '@/components/connect/link-states';
import { resolveLocale } from '@/lib/i18n/locales';
import { translatorFor } from '@/lib/i18n/messages';

export const metadata: Metadata = { title: 'Sign-in not valid — Mailport', robots: { index: false } };

/** A provider response whose state names no connect token (mangled or forged): nothing to go back to. */
export default async function OAuthInvalidPage() {
  const acceptLanguage = (await headers()).get('accept-language');
  return <LinkNotFound t={translatorFor(resolveLocale('', acceptLanguage))} />;
}
