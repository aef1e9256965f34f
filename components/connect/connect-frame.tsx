import type { ReactNode } from 'react';
import { type BrandTheme, brandStylePath, logoPath } from '@/lib/brands/schema';
import type { Translator } from '@/lib/i18n/messages';

/** The partner's look on the connect pages (lib/brands): accent, theme, logo. */
export interface FrameBrand {
  accentColor: string;
  theme: BrandTheme;
  logoId: string | null;
}

export const DEFAULT_BRAND: FrameBrand = { accentColor: '', theme: 'system', logoId: null };

/** The frame of every connect page: who is asking and what they get, in the partner's colours. */
export function ConnectFrame({
  t,
  appName,
  title,
  children,
  brand = DEFAULT_BRAND,
  showAccess = true,
  footer,
}: {
  t: Translator;
  appName: string;
  title: string;
  children: ReactNode;
  brand?: FrameBrand;
  showAccess?: boolean;
  footer?: ReactNode;
}) {
  const stylesheet = brandStylePath(brand.accentColor, brand.theme);
  return (
    <div
      data-theme={brand.theme}
      data-brand={stylesheet ? '' : undefined}
      className="min-h-screen bg-slate-50 px-4 py-8 text-slate-900 sm:py-16 dark:bg-slate-950 dark:text-slate-100"
    >
      {/* React hoists it into <head>, on client navigations too. */}
      {stylesheet && <link rel="stylesheet" href={stylesheet} precedence="brand" />}
      <main
        id="main"
        className="mx-auto max-w-md rounded-xl border wrap-break-word border-slate-200 bg-white p-6 shadow-sm sm:p-8 dark:border-slate-700 dark:bg-slate-900"
      >
        {brand.logoId && (
          // A raster logo we checked and serve ourselves (never SVG); a plain img needs no layout JavaScript.
          // biome-ignore lint/performance/noImgElement: next/image would proxy our own small, cached logo for nothing.
          <img
            src={logoPath(brand.logoId)}
            alt={t('frame.logoAlt', { appName })}
            className="mb-4 h-10 w-auto max-w-full object-contain"
          />
        )}
        <p className="text-sm font-medium text-slate-600 dark:text-slate-300">
          {t.rich('frame.usesMailport', {
            appName,
            app: (chunks) => <span className="font-semibold text-slate-900 dark:text-slate-100">{chunks}</span>,
          })}
        </p>
        <h1 className="mt-2 text-2xl font-bold text-slate-900 dark:text-slate-100">{title}</h1>
        {showAccess && (
          <p className="mt-3 text-sm text-slate-700 dark:text-slate-300">{t('frame.access', { appName })}</p>
        )}
        <div className="mt-6">{children}</div>
        <div className="mt-8 flex flex-wrap gap-x-6 gap-y-2 border-t border-slate-200 pt-4 text-sm dark:border-slate-700">
          {footer}
          <a
            href="/accessibility"
            className="text-slate-700 underline underline-offset-4 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
          >
            {t('frame.accessibility')}
          </a>
        </div>
      </main>
    </div>
  );
}
