import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/dashboard/empty-state';
import { formatTime } from '@/components/dashboard/format';
import { DashboardShell } from '@/components/dashboard/shell';
import { buttonClass } from '@/components/ui/button';
import { ErrorSummary } from '@/components/ui/error-summary';
import { inputClass, labelClass } from '@/components/ui/field';
import { Notice } from '@/components/ui/notice';
import { SubmitButton } from '@/components/ui/submit-button';
import { listOAuthProviders } from '@/lib/oauth-providers/data';
import { maskedSecret } from '@/lib/oauth-providers/schema';
import { param } from '../_shared/read';
import { requireDeveloper } from '../_shared/session';
import { addOAuthProvider, removeOAuthProvider } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'OAuth providers', robots: { index: false } };

const TYPE_NAMES: Record<string, string> = { GMAIL_OAUTH2: 'Google', MSLIVECONNECT: 'Microsoft' };

const FIELD_NAMES: Record<string, string> = {
  type: 'the provider',
  provider_consumer_key: 'the client id',
  provider_consumer_secret: 'the client secret',
};

function errorMessage(code: string | undefined, field: string | undefined): string | null {
  if (code === 'invalid') return `Check ${FIELD_NAMES[field ?? ''] ?? 'the form'} and try again.`;
  if (code === 'exists')
    return 'You already have a provider with this client id. Delete it first to change its secret.';
  if (code === 'gone') return 'That provider does not exist any more.';
  if (code === 'expired') return 'This form has expired. Reload the page and try again.';
  return null;
}

export default async function OAuthProvidersPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const context = await requireDeveloper('/dashboard/oauth-providers');
  const query = await searchParams;
  const providers = await listOAuthProviders(context.db, context.developerId);
  const error = errorMessage(param(query.error), param(query.field));
  return (
    <DashboardShell section="oauth-providers" title="OAuth providers" email={context.email} csrf={context.csrf}>
      <p className="mb-6 max-w-2xl text-slate-700">
        Your own OAuth clients at Google and Microsoft. With one added, the connect pages offer “Continue with Google”
        or “Continue with Microsoft” to Gmail and Outlook users, and you can add their mailboxes server-side with a
        refresh token. Secrets are stored encrypted and never shown again.
      </p>
      {param(query.notice) === 'deleted' && <Notice>The provider was deleted.</Notice>}
      {error && <ErrorSummary message={error} />}

      <form
        action={addOAuthProvider}
        className="mb-8 max-w-xl space-y-4 rounded-lg border border-slate-200 bg-white p-4"
      >
        <h2 className="text-lg font-semibold text-slate-900">Add a provider</h2>
        <input type="hidden" name="csrf" value={context.csrf} />
        <div>
          <label htmlFor="type" className={labelClass}>
            Provider
          </label>
          <select id="type" name="type" className={inputClass} defaultValue="GMAIL_OAUTH2">
            <option value="GMAIL_OAUTH2">Google (GMAIL_OAUTH2)</option>
            <option value="MSLIVECONNECT">Microsoft (MSLIVECONNECT)</option>
          </select>
        </div>
        <div>
          <label htmlFor="provider_consumer_key" className={labelClass}>
            Client id
          </label>
          <input
            id="provider_consumer_key"
            name="provider_consumer_key"
            required
            maxLength={300}
            className={inputClass}
          />
        </div>
        <div>
          <label htmlFor="provider_consumer_secret" className={labelClass}>
            Client secret
          </label>
          <input
            id="provider_consumer_secret"
            name="provider_consumer_secret"
            type="password"
            required
            maxLength={1000}
            autoComplete="off"
            className={inputClass}
          />
        </div>
        <SubmitButton pendingText="Adding…">Add provider</SubmitButton>
      </form>

      <h2 className="mb-3 text-lg font-semibold text-slate-900">Your providers</h2>
      {providers.length === 0 ? (
        <EmptyState title="No OAuth providers yet">
          Add your Google or Microsoft OAuth client above, or with{' '}
          <code className="font-mono text-sm">POST /2.0/oauth_providers</code>.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {providers.map((provider) => (
            <li key={provider.id} className="flex flex-wrap items-center justify-between gap-3 p-4">
              <div className="min-w-0">
                <Link
                  href={`/dashboard/oauth-providers/${encodeURIComponent(provider.consumerKey)}`}
                  className="font-mono text-sm break-all text-indigo-700 underline underline-offset-4"
                >
                  {provider.consumerKey}
                </Link>
                <p className="mt-1 text-sm text-slate-700">
                  {TYPE_NAMES[provider.type] ?? provider.type} · secret {maskedSecret(provider.secretLast4)} · added{' '}
                  {formatTime(provider.createdAt)}
                </p>
              </div>
              <form action={removeOAuthProvider}>
                <input type="hidden" name="csrf" value={context.csrf} />
                <input type="hidden" name="consumerKey" value={provider.consumerKey} />
                <button
                  type="submit"
                  className={buttonClass('danger')}
                  aria-label={`Delete provider ${provider.consumerKey}`}
                >
                  Delete
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </DashboardShell>
  );
}
