import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CallbackDeliveries } from '@/components/dashboard/callback-deliveries';
import { formatTime } from '@/components/dashboard/format';
import { Pagination, pageFrom } from '@/components/dashboard/pagination';
import { DashboardShell } from '@/components/dashboard/shell';
import { sourceStatusBadge } from '@/components/dashboard/source-status';
import { StatusBadge } from '@/components/dashboard/status-badge';
import { SyncPanel } from '@/components/dashboard/sync-panel';
import { buttonClass } from '@/components/ui/button';
import { ErrorSummary } from '@/components/ui/error-summary';
import { Notice } from '@/components/ui/notice';
import { accountIdParam } from '@/lib/accounts/schema';
import { listSourceDeliveries } from '@/lib/callbacks/data';
import { findSource, listSourceStatusChanges } from '@/lib/sources/data';
import { sourceLabelParam } from '@/lib/sources/schema';
import { requireDeveloper } from '../../../../_shared/session';
import { rerunSync, retryDelivery } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Source', robots: { index: false } };

const PAGE_SIZE = 20;

const NOTICES: Record<string, { message: string; isError?: boolean }> = {
  'sync-queued': { message: 'A sync was queued. Progress shows below.' },
  'sync-waiting': { message: 'A sync is already queued: it runs once the current one ends.' },
  'retry-queued': { message: 'The callback is being sent again now. Its new attempt shows below.' },
  'retry-delivered': { message: 'That callback was already delivered.', isError: true },
  'retry-gone': { message: 'That callback does not exist. Reload the page.', isError: true },
  expired: { message: 'This form has expired. Reload the page and try again.', isError: true },
};

const TLS_LABELS = { TLS: 'SSL/TLS', STARTTLS: 'STARTTLS', NONE: 'None (not encrypted)' } as const;

function decodeLabel(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * One mailbox of an account. Laid out as sections so the sync panel and the
 * callback deliveries list (background sync issue) slot in below "Connection".
 */
export default async function SourcePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string; label: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id, label: rawLabel } = await params;
  const query = await searchParams;
  const label = decodeLabel(rawLabel);
  const accountPath = `/dashboard/accounts/${encodeURIComponent(id)}`;
  const context = await requireDeveloper(`${accountPath}/sources/${encodeURIComponent(label)}`);
  const source =
    accountIdParam.safeParse(id).success && sourceLabelParam.safeParse(label).success
      ? await findSource(context.db, context.developerId, id, label)
      : null;
  // Deleted or another developer's: a 404 either way, so labels cannot be probed.
  if (!source) notFound();
  const badge = sourceStatusBadge(source.status);
  const selfPath = `${accountPath}/sources/${encodeURIComponent(source.label)}`;
  const page = pageFrom(query.page);
  const { deliveries, total } = await listSourceDeliveries(context.db, context.developerId, source.id, {
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  const statusChanges = await listSourceStatusChanges(context.db, source);
  const notice = typeof query.notice === 'string' ? NOTICES[query.notice] : undefined;
  const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
  const rows: [string, string][] = [
    ['Email', source.email],
    ['Server', `${source.server}:${source.port}`],
    ['Security', TLS_LABELS[source.tlsMode]],
    ['Username', source.username],
    ['Sign-in', source.authenticationType === 'oauth2' ? 'OAuth 2' : 'Password (stored encrypted)'],
    ['Connected', formatTime(source.createdAt)],
    ['Source callback URL', source.callbackUrl || 'None'],
    ['Status callback URL', source.statusCallbackUrl || 'None'],
    ['Sync all folders', yesNo(source.syncAllFolders)],
    ['Extra folders', source.syncFolders || 'None'],
    ['Sync flags', yesNo(source.syncFlags)],
    ['Every attachment', yesNo(source.rawFileList)],
    ['Hide Deleted', yesNo(source.expungeOnDeletedFlag)],
  ];
  return (
    <DashboardShell
      section="accounts"
      title={source.label}
      email={context.email}
      csrf={context.csrf}
      actions={
        <Link
          href={`/dashboard/tokens/new?account=${source.accountId}&source=${encodeURIComponent(source.label)}`}
          className={buttonClass('secondary')}
        >
          Create a reconnect link
        </Link>
      }
    >
      {notice && (notice.isError ? <ErrorSummary message={notice.message} /> : <Notice>{notice.message}</Notice>)}
      <p className="mb-6 text-sm">
        <Link href={`/dashboard/accounts/${source.accountId}`} className="text-indigo-700 underline underline-offset-4">
          ← Back to the account
        </Link>
      </p>
      <section aria-labelledby="connection-heading" className="max-w-3xl">
        <h2 id="connection-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Connection
        </h2>
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr] sm:gap-y-2">
          <dt className="font-medium text-slate-900">Status</dt>
          <dd className="mb-2 sm:mb-0">
            <StatusBadge label={badge.label} tone={badge.tone} />
            {source.statusMessage && <span className="ml-2 text-slate-800">{source.statusMessage}</span>}
            {source.statusChangedAt && (
              <span className="ml-2 text-slate-700">since {formatTime(source.statusChangedAt)}</span>
            )}
          </dd>
          {rows.map(([term, value]) => (
            <div key={term} className="contents">
              <dt className="font-medium text-slate-900">{term}</dt>
              <dd className="mb-2 min-w-0 break-all text-slate-800 sm:mb-0">{value}</dd>
            </div>
          ))}
        </dl>
        {source.status !== 'OK' && (
          <p className="mt-4 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-950">
            This mailbox needs attention. Send your user a reconnect link so they can sign in again.
          </p>
        )}
      </section>
      {statusChanges.length > 0 && (
        <section aria-labelledby="status-history-heading" className="mt-10 max-w-3xl">
          <h2 id="status-history-heading" className="mb-3 text-lg font-semibold text-slate-900">
            Status changes
          </h2>
          <table className="w-full table-fixed text-left text-sm">
            <thead>
              <tr className="border-b border-slate-300 text-slate-900">
                <th scope="col" className="py-2 pr-4 font-medium">
                  When
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  From
                </th>
                <th scope="col" className="py-2 pr-4 font-medium">
                  To
                </th>
                <th scope="col" className="py-2 font-medium">
                  Why
                </th>
              </tr>
            </thead>
            <tbody>
              {statusChanges.map((change) => (
                <tr key={change.id} className="border-b border-slate-200 text-slate-800">
                  <td className="py-2 pr-4 break-words">{formatTime(change.changedAt)}</td>
                  <td className="py-2 pr-4 break-words">{sourceStatusBadge(change.previousStatus).label}</td>
                  <td className="py-2 pr-4 break-words">{sourceStatusBadge(change.status).label}</td>
                  <td className="py-2 break-words">{change.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <SyncPanel
        sync={source.sync}
        selfPath={selfPath}
        csrf={context.csrf}
        rerunAction={rerunSync.bind(null, source.accountId, source.label)}
      />
      <section aria-labelledby="callbacks-heading" className="mt-10 max-w-3xl">
        <h2 id="callbacks-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Callback deliveries
        </h2>
        <CallbackDeliveries
          deliveries={deliveries}
          csrf={context.csrf}
          retryAction={retryDelivery.bind(null, source.accountId, source.label)}
        />
        <Pagination basePath={selfPath} query={{}} page={page} pageSize={PAGE_SIZE} total={total} noun="callbacks" />
      </section>
    </DashboardShell>
  );
}
