import type { Metadata } from 'next';
import { EmptyState } from '@/components/dashboard/empty-state';
import { formatTime } from '@/components/dashboard/format';
import { KeySecretForm } from '@/components/dashboard/key-secret-form';
import { Pagination, pageFrom } from '@/components/dashboard/pagination';
import { DashboardShell } from '@/components/dashboard/shell';
import { StatusBadge } from '@/components/dashboard/status-badge';
import { buttonClass } from '@/components/ui/button';
import { ErrorSummary } from '@/components/ui/error-summary';
import { Notice } from '@/components/ui/notice';
import { listApiKeys } from '@/lib/developers/data';
import { requireDeveloper } from '../_shared/session';
import { createOrRotateKey, revokeKey } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'API keys', robots: { index: false } };

const PAGE_SIZE = 20;

export default async function KeysPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const context = await requireDeveloper('/dashboard/keys');
  const query = await searchParams;
  const page = pageFrom(query.page);
  const { keys, total, active } = await listApiKeys(context.db, context.developerId, {
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  return (
    <DashboardShell section="keys" title="API keys" email={context.email} csrf={context.csrf}>
      <p className="mb-6 max-w-2xl text-slate-700">
        Sign Context.IO 2.0 requests with a consumer key and its secret (OAuth 1.0a, HMAC-SHA1). Revoking a key stops it
        at once; rotating revokes it and gives you a new one.
      </p>
      {query.notice === 'revoked' && <Notice>The key was revoked. Requests signed with it are now refused.</Notice>}
      {query.notice === 'gone' && <ErrorSummary message="That key does not exist or was already revoked." />}
      {query.notice === 'expired' && <ErrorSummary message="This form has expired. Reload the page and try again." />}
      <KeySecretForm action={createOrRotateKey} csrf={context.csrf} />

      <h2 className="mb-3 text-lg font-semibold text-slate-900">
        Your keys <span className="font-normal text-slate-600">({active} active)</span>
      </h2>
      {total === 0 ? (
        <EmptyState title="No API keys yet">
          Create your first key with <strong>Create API key</strong> above, then call{' '}
          <code className="font-mono text-sm">POST /2.0/connect_tokens</code> with it.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {keys.map((key) => (
            <li key={key.consumerKey} className="flex flex-wrap items-center justify-between gap-3 p-4">
              <div className="min-w-0">
                <p className="font-mono text-sm break-all text-slate-900">{key.consumerKey}</p>
                <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-700">
                  {key.revokedAt ? (
                    <StatusBadge label="Revoked" tone="muted" />
                  ) : (
                    <StatusBadge label="Active" tone="good" />
                  )}
                  <span>Created {formatTime(key.createdAt)}</span>
                  {key.revokedAt && <span>· revoked {formatTime(key.revokedAt)}</span>}
                </p>
              </div>
              {!key.revokedAt && (
                <div className="flex flex-wrap gap-2">
                  <button
                    type="submit"
                    form="key-actions"
                    name="rotate"
                    value={key.consumerKey}
                    className={buttonClass('secondary')}
                    aria-label={`Rotate key ${key.consumerKey}`}
                  >
                    Rotate
                  </button>
                  <form action={revokeKey}>
                    <input type="hidden" name="csrf" value={context.csrf} />
                    <input type="hidden" name="consumerKey" value={key.consumerKey} />
                    <button
                      type="submit"
                      className={buttonClass('danger')}
                      aria-label={`Revoke key ${key.consumerKey}`}
                    >
                      Revoke
                    </button>
                  </form>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      <Pagination basePath="/dashboard/keys" query={{}} page={page} pageSize={PAGE_SIZE} total={total} noun="keys" />
    </DashboardShell>
  );
}
