import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/dashboard/empty-state';
import { formatTime } from '@/components/dashboard/format';
import { Pagination, pageFrom } from '@/components/dashboard/pagination';
import { DashboardShell } from '@/components/dashboard/shell';
import { StatusBadge } from '@/components/dashboard/status-badge';
import { buttonClass } from '@/components/ui/button';
import { FieldError, inputClass, labelClass } from '@/components/ui/field';
import { countAccounts, listAccounts } from '@/lib/accounts/data';
import { dashboardAccountFilters } from '@/lib/accounts/schema';
import { param } from '../_shared/read';
import { requireDeveloper } from '../_shared/session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Accounts', robots: { index: false } };

const PAGE_SIZE = 20;

export default async function AccountsPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const context = await requireDeveloper('/dashboard/accounts');
  const query = await searchParams;
  const page = pageFrom(query.page);
  const parsedFilters = dashboardAccountFilters.safeParse({ email: param(query.email) });
  // A refused search is shown beside its field, and the list is not filtered by it.
  const emailError = parsedFilters.success ? undefined : parsedFilters.error.issues[0]?.message;
  const email = parsedFilters.success ? parsedFilters.data.email : undefined;
  // The same query as GET /2.0/accounts (email is an exact address there too).
  const [accounts, total] = await Promise.all([
    listAccounts(context.db, context.developerId, {
      email,
      status: undefined,
      status_ok: undefined,
      limit: PAGE_SIZE,
      offset: (page - 1) * PAGE_SIZE,
    }),
    countAccounts(context.db, context.developerId, { email }),
  ]);
  return (
    <DashboardShell section="accounts" title="Accounts" email={context.email} csrf={context.csrf}>
      <form method="get" action="/dashboard/accounts" className="mb-6 flex flex-wrap items-end gap-3">
        <div className="min-w-0 flex-1 basis-56">
          <label htmlFor="email" className={labelClass}>
            Email address
          </label>
          <input
            id="email"
            name="email"
            type="search"
            defaultValue={email ?? ''}
            aria-invalid={emailError ? true : undefined}
            aria-describedby={emailError ? 'email-error' : undefined}
            className={inputClass}
          />
          <FieldError name="email" error={emailError} />
        </div>
        <button type="submit" className={buttonClass('secondary')}>
          Find
        </button>
        {email && (
          <Link href="/dashboard/accounts" className="py-2 text-sm text-indigo-700 underline underline-offset-4">
            Show all
          </Link>
        )}
      </form>
      {accounts.length === 0 ? (
        email ? (
          <EmptyState title={`No account has the address ${email}`}>
            Search for the full address, or{' '}
            <Link href="/dashboard/accounts" className="text-indigo-700 underline underline-offset-4">
              show all accounts
            </Link>
            .
          </EmptyState>
        ) : (
          <EmptyState title="No accounts yet">
            An account appears when a user connects a mailbox through a connect token.{' '}
            <Link href="/dashboard/tokens/new" className="text-indigo-700 underline underline-offset-4">
              Create a connect token
            </Link>{' '}
            and open its link to try it.
          </EmptyState>
        )
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {accounts.map((account) => {
            const failing = account.sources.filter((source) => source.status !== 'OK').length;
            const name = [account.firstName, account.lastName].filter(Boolean).join(' ');
            return (
              <li key={account.id} className="grid gap-1 p-4 sm:grid-cols-[1fr_auto] sm:items-center">
                <div className="min-w-0">
                  <Link
                    href={`/dashboard/accounts/${account.id}`}
                    className="font-medium break-all text-indigo-700 underline underline-offset-4"
                  >
                    {account.emailAddresses.join(', ') || account.id}
                  </Link>
                  <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-700">
                    {name && <span>{name}</span>}
                    <span>
                      {account.sources.length} {account.sources.length === 1 ? 'source' : 'sources'}
                    </span>
                    {failing > 0 ? (
                      <StatusBadge label={`${failing} need attention`} tone="bad" />
                    ) : (
                      <StatusBadge label="All OK" tone="good" />
                    )}
                  </p>
                </div>
                <p className="text-sm text-slate-700">Connected {formatTime(account.createdAt)}</p>
              </li>
            );
          })}
        </ul>
      )}
      <Pagination
        basePath="/dashboard/accounts"
        query={{ email }}
        page={page}
        pageSize={PAGE_SIZE}
        total={total}
        noun="accounts"
      />
    </DashboardShell>
  );
}
