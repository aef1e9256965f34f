import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CopyField } from '@/components/dashboard/copy-field';
import { formatTime } from '@/components/dashboard/format';
import { DashboardShell } from '@/components/dashboard/shell';
import { buttonClass } from '@/components/ui/button';
import { Notice } from '@/components/ui/notice';
import { getConfig } from '@/lib/env';
import { oauthRedirectUri } from '@/lib/oauth/providers';
import { findOAuthProvider } from '@/lib/oauth-providers/data';
import { maskedSecret } from '@/lib/oauth-providers/schema';
import { isStorableText } from '@/lib/validation/fields';
import { param } from '../../_shared/read';
import { requireDeveloper } from '../../_shared/session';
import { removeOAuthProvider } from '../actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'OAuth provider', robots: { index: false } };

const SETUP: Record<string, { name: string; steps: string[] }> = {
  GMAIL_OAUTH2: {
    name: 'Google',
    steps: [
      'Google Cloud console, APIs & Services, Credentials: an OAuth client of type “Web application”.',
      'Add the redirect URI below under “Authorized redirect URIs”.',
      'OAuth consent screen: add the scope https://mail.google.com/ (a restricted scope: Google verifies the app).',
    ],
  },
  MSLIVECONNECT: {
    name: 'Microsoft',
    steps: [
      'Microsoft Entra admin center, App registrations: a “Web” platform with the redirect URI below.',
      'Supported account types: accounts in any organisation and personal Microsoft accounts.',
      'API permissions: IMAP.AccessAsUser.All (Office 365 Exchange Online), offline_access, openid, email.',
    ],
  },
};

export default async function OAuthProviderPage({
  params,
  searchParams,
}: {
  params: Promise<{ key: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { key: rawKey } = await params;
  const key = decodeURIComponent(rawKey);
  const context = await requireDeveloper(`/dashboard/oauth-providers/${encodeURIComponent(key)}`);
  const query = await searchParams;
  const provider = isStorableText(key) ? await findOAuthProvider(context.db, context.developerId, key) : null;
  if (!provider) notFound();
  const setup = SETUP[provider.type];
  return (
    <DashboardShell
      section="oauth-providers"
      title={`${setup?.name ?? provider.type} OAuth provider`}
      email={context.email}
      csrf={context.csrf}
    >
      {param(query.notice) === 'added' && <Notice>The provider was added.</Notice>}
      <dl className="mb-6 grid max-w-2xl grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
        <dt className="font-medium text-slate-900">Type</dt>
        <dd className="font-mono">{provider.type}</dd>
        <dt className="font-medium text-slate-900">Client id</dt>
        <dd className="font-mono break-all">{provider.consumerKey}</dd>
        <dt className="font-medium text-slate-900">Client secret</dt>
        <dd className="font-mono">{maskedSecret(provider.secretLast4)}</dd>
        <dt className="font-medium text-slate-900">Added</dt>
        <dd>{formatTime(provider.createdAt)}</dd>
      </dl>
      <div className="mb-6 max-w-2xl">
        <CopyField id="redirect-uri" label="Redirect URI to register" value={oauthRedirectUri(getConfig().publicUrl)} />
      </div>
      {setup && (
        <section className="mb-8 max-w-2xl">
          <h2 className="mb-2 text-lg font-semibold text-slate-900">Set up at {setup.name}</h2>
          <ol className="list-decimal space-y-1 pl-5 text-slate-700">
            {setup.steps.map((step) => (
              <li key={step}>{step}</li>
            ))}
          </ol>
        </section>
      )}
      <div className="flex flex-wrap gap-3">
        <form action={removeOAuthProvider}>
          <input type="hidden" name="csrf" value={context.csrf} />
          <input type="hidden" name="consumerKey" value={provider.consumerKey} />
          <button type="submit" className={buttonClass('danger')}>
            Delete provider
          </button>
        </form>
        <Link href="/dashboard/oauth-providers" className={buttonClass('secondary')}>
          All providers
        </Link>
      </div>
    </DashboardShell>
  );
}
