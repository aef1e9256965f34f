import type { Metadata } from 'next';
import { NewPasswordForm } from '@/components/dashboard/auth-forms';
import { SettingsForm } from '@/components/dashboard/settings-form';
import { DashboardShell } from '@/components/dashboard/shell';
import { findDeveloperSettings } from '@/lib/developers/data';
import { MAX_CALLBACK_URL_PREFIXES } from '@/lib/developers/schema';
import { PASSWORD_MIN_LENGTH } from '@/lib/sessions/schema';
import { requireDeveloper } from '../_shared/session';
import { savePassword, saveSettings } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Settings', robots: { index: false } };

export default async function SettingsPage() {
  const context = await requireDeveloper('/dashboard/settings');
  const settings = await findDeveloperSettings(context.db, context.developerId);
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
