import type { Metadata, Viewport } from 'next';
import { headers } from 'next/headers';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { DEFAULT_LOCALE, directionOf, isLocale, LOCALE_HEADER } from '@/lib/i18n/locales';
import { translatorFor } from '@/lib/i18n/messages';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Mailport', template: '%s · Mailport' },
  description: 'Self-hosted mailbox connect service speaking the Context.IO 2.0 API.',
};

export const viewport: Viewport = { width: 'device-width', initialScale: 1 };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page renders per request: Next.js puts the CSP nonce from proxy.ts on its inline scripts only then.
  await connection();
  // The connect pages speak the end user's language (proxy.ts picks it); every other page is English.
  const asked = (await headers()).get(LOCALE_HEADER);
  const locale = isLocale(asked) ? asked : DEFAULT_LOCALE;
  const t = translatorFor(locale);
  return (
    <html lang={locale} dir={directionOf(locale)}>
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:rounded focus:bg-white focus:px-3 focus:py-2"
        >
          {t('common.skipToContent')}
        </a>
        {children}
      </body>
    </html>
  );
}
