import type { Metadata } from 'next';
import { NewPasswordForm } from '@/components/dashboard/auth-forms';
import { BrandForm } from '@/components/dashboard/brand-form';
import { SettingsForm } from '@/components/dashboard/settings-form';
import { DashboardShell } from '@/components/dashboard/shell';
import { findBrand } from '@/lib/brands/data';
import { logoPath, MAX_LOGO_BYTES, MIN_ACCENT_CONTRAST } from '@/lib/brands/schema';
import { findDeveloperSettings } from '@/lib/developers/data';
import { MAX_CALLBACK_URL_PREFIXES } from '@/lib/developers/schema';
import { PASSWORD_MIN_LENGTH } from '@/lib/sessions/schema';
import { requireDeveloper } from '../_shared/session';
import { saveBrand, savePassword, saveSettings } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Settings', robots: { index: false } };

export default async function SettingsPage() {
  const context = await requireDeveloper('/dashboard/settings');
  const settings = await findDeveloperSettings(context.db, context.developerId);
  const brand = await findBrand(context.db, context.developerId);
  return (
    <DashboardShell section="settings" title="Settings" email={context.email} csrf={context.csrf}>
      <section aria-labelledby="app-heading">
        <h2 id="app-heading" className="mb-4 text-lg font-semibold text-slate-900">
          Your app
        </h2>
        <SettingsForm
          action={saveSettings}
          csrf={context.csrf}
          appName={settings?.appName ?? ''}
          prefixes={settings?.callbackUrlPrefixes ?? []}
          maxPrefixes={MAX_CALLBACK_URL_PREFIXES}
        />
      </section>
      <section aria-labelledby="brand-heading" className="mt-12">
        <h2 id="brand-heading" className="mb-4 text-lg font-semibold text-slate-900">
          Your brand on the connect pages
        </h2>
        <BrandForm
          action={saveBrand}
          csrf={context.csrf}
          accentColor={brand.accentColor}
          theme={brand.theme}
          logoUrl={brand.logoId ? logoPath(brand.logoId) : ''}
          minContrast={MIN_ACCENT_CONTRAST}
          maxLogoKb={MAX_LOGO_BYTES / 1024}
        />
      </section>
      <section aria-labelledby="password-heading" className="mt-12">
        <h2 id="password-heading" className="mb-4 text-lg font-semibold text-slate-900">
          Change your password
        </h2>
        <div className="max-w-2xl">
          <NewPasswordForm
            action={savePassword}
            csrf={context.csrf}
            withCurrent
            minLength={PASSWORD_MIN_LENGTH}
            submitLabel="Change password"
          />
        </div>
      </section>
    </DashboardShell>
  );
}
