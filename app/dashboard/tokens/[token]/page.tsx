import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CopyField } from '@/components/dashboard/copy-field';
import { formatTime } from '@/components/dashboard/format';
import { DashboardShell } from '@/components/dashboard/shell';
import { StatusBadge, tokenStatusBadge } from '@/components/dashboard/status-badge';
import { Timeline, type TimelineStep } from '@/components/dashboard/timeline';
import { TokenLevel } from '@/components/dashboard/token-level';
import { buttonClass } from '@/components/ui/button';
import { ErrorSummary } from '@/components/ui/error-summary';
import { Notice } from '@/components/ui/notice';
import { findConnectToken, findConnectTokenProgress } from '@/lib/connect-tokens/data';
import { connectTokenNotFoundMessage, connectTokenStatus } from '@/lib/connect-tokens/schema';
import { browserRedirectUrl, connectTokenResourceUrl, serializeConnectToken } from '@/lib/connect-tokens/serialize';
import { getConfig } from '@/lib/env';
import { errorBody } from '@/lib/http/respond';
import { isConnectToken } from '@/lib/ids';
import { requireDeveloper } from '../../_shared/session';
import { deleteToken } from '../actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Connect token', robots: { index: false } };

const NOTICES: Record<string, string> = {
  not_unused: 'This token can no longer be deleted here: it has been used or has expired.',
  not_found: 'This token no longer exists.',
  expired: 'This form has expired. Reload the page and try again.',
};

export default async function TokenPage({
  params,
  searchParams,
}: {
  params: Promise<{ token: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { token } = await params;
  const context = await requireDeveloper(`/dashboard/tokens/${encodeURIComponent(token)}`);
  const query = await searchParams;
  const row = isConnectToken(token) ? await findConnectTokenProgress(context.db, context.developerId, token) : null;
  // Deleted, purged a week after expiry, or another developer's: a 404 either way.
  if (!row) notFound();
  const { publicUrl } = getConfig();
  const status = connectTokenStatus(row, context.now);
  const badge = tokenStatusBadge[status];
  // Exactly what GET /2.0/connect_tokens/:token answers now, through the API's own query and serializer.
  const apiRow = await findConnectToken(context.db, context.developerId, { level: 'top' }, token, context.now);
  const apiStatus = apiRow ? 200 : 404;
  const apiBody = apiRow ? serializeConnectToken(apiRow, publicUrl) : errorBody(connectTokenNotFoundMessage(token));
  const flow = row.flow;
  const steps: TimelineStep[] = [
    { label: 'Created', at: row.createdAt, pending: '' },
    { label: 'Opened by the user', at: flow?.openedAt ?? null, pending: 'Not opened yet' },
    { label: 'Mailbox settings found', at: flow?.settingsFoundAt ?? null, pending: 'Not yet' },
    ...(flow?.cancelledAt
      ? [{ label: 'Cancelled by the user', at: flow.cancelledAt, pending: '', tone: 'bad' as const }]
      : []),
    { label: 'Mailbox connected', at: row.usedAt, pending: status === 'expired' ? 'Never' : 'Not yet' },
    ...(status === 'used'
      ? []
      : [
          {
            label: 'Expired',
            at: status === 'expired' ? row.expiresAt : null,
            pending: `Expires ${formatTime(row.expiresAt)}`,
            tone: 'bad' as const,
          },
        ]),
  ];

  return (
    <DashboardShell section="tokens" title={`Connect token ${token}`} email={context.email} csrf={context.csrf}>
      {query.created === '1' && <Notice>Connect token created. Send your user to its browser redirect URL.</Notice>}
      {typeof query.notice === 'string' && NOTICES[query.notice] && (
        <ErrorSummary message={NOTICES[query.notice] ?? ''} />
      )}
      <div className="grid gap-8 lg:grid-cols-[1fr_1fr]">
        <section aria-labelledby="summary-heading" className="min-w-0 space-y-5">
          <h2 id="summary-heading" className="sr-only">
            Summary
          </h2>
          <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="font-medium text-slate-900">Status</dt>
            <dd>
              <StatusBadge label={badge.label} tone={badge.tone} />
            </dd>
            <dt className="font-medium text-slate-900">Does</dt>
            <dd className="min-w-0 text-slate-800">
              <TokenLevel targetAccountId={row.targetAccountId} targetSourceLabel={row.targetSource?.label} />
            </dd>
            <dt className="font-medium text-slate-900">Email</dt>
            <dd className="min-w-0 break-all text-slate-800">{row.email || flow?.email || 'None given'}</dd>
            <dt className="font-medium text-slate-900">Callback</dt>
            <dd className="min-w-0 break-all text-slate-800">{row.callbackUrl}</dd>
            {row.usedAt && row.accountId && (
              <>
                <dt className="font-medium text-slate-900">Account</dt>
                <dd className="min-w-0">
                  <Link
                    href={`/dashboard/accounts/${row.accountId}`}
                    className="font-mono break-all text-indigo-700 underline underline-offset-4"
                  >
                    {row.accountId}
                  </Link>
                </dd>
              </>
            )}
          </dl>
          <CopyField
            id="browser-redirect-url"
            label="Browser redirect URL"
            value={browserRedirectUrl(publicUrl, token)}
          />
          {status !== 'unused' && (
            <p className="text-sm text-slate-700">
              This link {status === 'used' ? 'has been used' : 'has expired'}: it no longer connects a mailbox.
            </p>
          )}
          {status === 'unused' && (
            <form action={deleteToken}>
              <input type="hidden" name="csrf" value={context.csrf} />
              <input type="hidden" name="token" value={token} />
              <button type="submit" className={buttonClass('danger')}>
                Delete this token
              </button>
            </form>
          )}
        </section>
        <section aria-labelledby="timeline-heading" className="min-w-0">
          <h2 id="timeline-heading" className="mb-4 text-lg font-semibold text-slate-900">
            Timeline
          </h2>
          <Timeline steps={steps} />
        </section>
      </div>
      <section aria-labelledby="json-heading" className="mt-10 min-w-0">
        <h2 id="json-heading" className="text-lg font-semibold text-slate-900">
          What the API returns
        </h2>
        <p className="mt-1 text-sm break-all text-slate-700">
          <code className="font-mono">GET {connectTokenResourceUrl(publicUrl, row)}</code> → {apiStatus}
        </p>
        {/* Wrapped rather than scrolled: fits a phone, and a scroll box would need keyboard focus. */}
        <pre className="mt-3 rounded-md bg-slate-900 p-4 text-sm break-all whitespace-pre-wrap text-slate-100">
          <code data-testid="api-json">{JSON.stringify(apiBody, null, 2)}</code>
        </pre>
      </section>
    </DashboardShell>
  );
}
