import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/dashboard/empty-state';
import { formatTime } from '@/components/dashboard/format';
import { Pagination, pageFrom } from '@/components/dashboard/pagination';
import { DashboardShell } from '@/components/dashboard/shell';
import { StatusBadge, tokenStatusBadge } from '@/components/dashboard/status-badge';
import { TokenLevel } from '@/components/dashboard/token-level';
import { buttonClass } from '@/components/ui/button';
import { FieldError, inputClass, labelClass } from '@/components/ui/field';
import { Notice } from '@/components/ui/notice';
import { listConnectTokensForDashboard } from '@/lib/connect-tokens/data';
import { connectTokenStatus, dashboardTokenFilters } from '@/lib/connect-tokens/schema';
import { param } from '../_shared/read';
import { requireDeveloper } from '../_shared/session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Connect tokens', robots: { index: false } };

const PAGE_SIZE = 20;

export default async function TokensPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const context = await requireDeveloper('/dashboard/tokens');
  const query = await searchParams;
  const page = pageFrom(query.page);
  const rawFilters = { status: param(query.status) || undefined, email: param(query.email) || undefined };
  const parsedFilters = dashboardTokenFilters.safeParse(rawFilters);
  // A refused search is shown beside its field, and the list is not filtered by it.
  const emailError = parsedFilters.success ? undefined : parsedFilters.error.issues[0]?.message;
  const filters = parsedFilters.success
    ? parsedFilters.data
    : dashboardTokenFilters.parse({ status: rawFilters.status });
  const { rows, total } = await listConnectTokensForDashboard(
    context.db,
    context.developerId,
    filters,
    { offset: (page - 1) * PAGE_SIZE, limit: PAGE_SIZE },
    context.now,
  );
  const filtered = !!filters.status || !!filters.email;
  return (
    <DashboardShell
      section="tokens"
      title="Connect tokens"
      email={context.email}
      csrf={context.csrf}
      actions={
        <Link href="/dashboard/tokens/new" className={buttonClass('primary')}>
          Create connect token
        </Link>
      }
    >
      {query.notice === 'deleted' && <Notice>The connect token was deleted; its link no longer works.</Notice>}
      <form method="get" action="/dashboard/tokens" className="mb-6 flex flex-wrap items-end gap-3">
        <div>
          <label htmlFor="status" className={labelClass}>
            Status
          </label>
          <select id="status" name="status" defaultValue={filters.status ?? ''} className={inputClass}>
            <option value="">All</option>
            <option value="unused">Unused</option>
            <option value="used">Used</option>
            <option value="expired">Expired</option>
          </select>
        </div>
        <div className="min-w-0 flex-1 basis-48">
          <label htmlFor="email" className={labelClass}>
            Email contains
          </label>
          <input
            id="email"
            name="email"
            type="search"
            defaultValue={filters.email ?? ''}
            aria-invalid={emailError ? true : undefined}
            aria-describedby={emailError ? 'email-error' : undefined}
            className={inputClass}
          />
          <FieldError name="email" error={emailError} />
        </div>
        <button type="submit" className={buttonClass('secondary')}>
          Apply filters
        </button>
        {filtered && (
          <Link href="/dashboard/tokens" className="py-2 text-sm text-indigo-700 underline underline-offset-4">
            Clear filters
          </Link>
        )}
      </form>

      {rows.length === 0 ? (
        filtered ? (
          <EmptyState title="No tokens match these filters">
            Try another status or email, or{' '}
            <Link href="/dashboard/tokens" className="text-indigo-700 underline underline-offset-4">
              clear the filters
            </Link>
            .
          </EmptyState>
        ) : (
          <EmptyState title="No connect tokens yet">
            A connect token is a link you send a user to so they can connect their mailbox.{' '}
            <Link href="/dashboard/tokens/new" className="text-indigo-700 underline underline-offset-4">
              Create one here
            </Link>{' '}
            or with <code className="font-mono text-sm">POST /2.0/connect_tokens</code>.
          </EmptyState>
        )
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {rows.map((row) => {
            const status = connectTokenStatus(row, context.now);
            const badge = tokenStatusBadge[status];
            const email = row.email || row.flow?.email;
            return (
              <li key={row.id} className="grid gap-1 p-4 sm:grid-cols-[1fr_auto] sm:items-center">
                <div className="min-w-0">
                  <p className="flex flex-wrap items-center gap-2">
                    <Link
                      href={`/dashboard/tokens/${row.id}`}
                      className="font-mono text-sm font-medium text-indigo-700 underline underline-offset-4"
                    >
                      {row.id}
                    </Link>
                    <StatusBadge label={badge.label} tone={badge.tone} />
                  </p>
                  <p className="mt-1 text-sm break-all text-slate-800">{email || 'No email given'}</p>
                  <p className="mt-1 text-sm text-slate-700">
                    <TokenLevel targetAccountId={row.targetAccountId} targetSourceLabel={row.targetSource?.label} />
                  </p>
                </div>
                <p className="text-sm text-slate-700">Created {formatTime(row.createdAt)}</p>
              </li>
            );
          })}
        </ul>
      )}
      <Pagination
        basePath="/dashboard/tokens"
        query={{ status: filters.status, email: filters.email }}
        page={page}
        pageSize={PAGE_SIZE}
        total={total}
        noun="tokens"
      />
    </DashboardShell>
  );
}
