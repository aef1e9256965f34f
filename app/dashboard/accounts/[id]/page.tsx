import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CreateWebhookForm } from '@/components/dashboard/create-webhook-form';
import { EmptyState } from '@/components/dashboard/empty-state';
import { formatTime } from '@/components/dashboard/format';
import { DashboardShell } from '@/components/dashboard/shell';
import { sourceStatusBadge } from '@/components/dashboard/source-status';
import { StatusBadge } from '@/components/dashboard/status-badge';
import { syncStateBadge } from '@/components/dashboard/sync-status';
import { WebhookList } from '@/components/dashboard/webhook-list';
import { WEBHOOK_NOTICES } from '@/components/dashboard/webhook-notices';
import { buttonClass } from '@/components/ui/button';
import { ErrorSummary } from '@/components/ui/error-summary';
import { Notice } from '@/components/ui/notice';
import { findAccount } from '@/lib/accounts/data';
import { accountIdParam } from '@/lib/accounts/schema';
import { listWebhooks } from '@/lib/webhooks/data';
import { requireDeveloper } from '../../_shared/session';
import { createWebhookAction, deleteWebhookAction, toggleWebhook } from '../../webhooks/actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account', robots: { index: false } };

export default async function AccountPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const context = await requireDeveloper(`/dashboard/accounts/${encodeURIComponent(id)}`);
  // Another developer's account is a 404, exactly like a missing one, so ids cannot be probed.
  const account = accountIdParam.safeParse(id).success ? await findAccount(context.db, context.developerId, id) : null;
  if (!account) notFound();
  const name = [account.firstName, account.lastName].filter(Boolean).join(' ');
  const webhooks = await listWebhooks(
    context.db,
    context.developerId,
    { accountId: account.id },
    { offset: 0, limit: 100 },
  );
  const notice = typeof query.notice === 'string' ? WEBHOOK_NOTICES[query.notice] : undefined;
  return (
    <DashboardShell
      section="accounts"
      title={account.emailAddresses[0] ?? account.id}
      email={context.email}
      csrf={context.csrf}
      actions={
        <Link href={`/dashboard/tokens/new?account=${account.id}`} className={buttonClass('primary')}>
          Add a mailbox
        </Link>
      }
    >
      {notice && (notice.isError ? <ErrorSummary message={notice.message} /> : <Notice>{notice.message}</Notice>)}
      <dl className="grid max-w-2xl grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
        <dt className="font-medium text-slate-900">Account id</dt>
        <dd className="min-w-0 font-mono break-all text-slate-800">{account.id}</dd>
        <dt className="font-medium text-slate-900">Name</dt>
        <dd className="text-slate-800">{name || 'Not given'}</dd>
        <dt className="font-medium text-slate-900">Addresses</dt>
        <dd className="min-w-0 break-all text-slate-800">{account.emailAddresses.join(', ') || 'None'}</dd>
        <dt className="font-medium text-slate-900">Connected</dt>
        <dd className="text-slate-800">{formatTime(account.createdAt)}</dd>
        <dt className="font-medium text-slate-900">Username</dt>
        <dd className="min-w-0 font-mono break-all text-slate-800">{account.username}</dd>
      </dl>
      <h2 className="mt-10 mb-3 text-lg font-semibold text-slate-900">Sources</h2>
      {account.sources.length === 0 ? (
        <EmptyState title="No mailboxes on this account">
          Use <strong>Add a mailbox</strong> to create a link your user opens to connect one.
        </EmptyState>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
          {account.sources.map((source) => {
            const badge = sourceStatusBadge(source.status);
            const sync = syncStateBadge(source.sync?.state);
            return (
              <li key={source.id} className="grid gap-1 p-4 sm:grid-cols-[1fr_auto] sm:items-center">
                <div className="min-w-0">
                  <Link
                    href={`/dashboard/accounts/${account.id}/sources/${encodeURIComponent(source.label)}`}
                    className="font-medium break-all text-indigo-700 underline underline-offset-4"
                  >
                    {source.label}
                  </Link>
                  <p className="mt-1 text-sm break-all text-slate-700">
                    {source.email} on {source.server}:{source.port}
                  </p>
                  <p className="mt-1 text-sm text-slate-700">
                    Sync: {sync.label}
                    {source.sync &&
                      ` · ${source.sync.foldersDone} of ${source.sync.foldersTotal} folders, ${source.sync.messagesSynced} messages`}
                  </p>
                </div>
                <StatusBadge label={badge.label} tone={badge.tone} />
              </li>
            );
          })}
        </ul>
      )}
      <section aria-labelledby="webhooks-heading" className="mt-10 max-w-3xl">
        <h2 id="webhooks-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Webhooks
        </h2>
        <p className="mb-3 text-sm text-slate-800">
          On this account only;{' '}
          <Link href="/dashboard/webhooks" className="text-indigo-700 underline underline-offset-4">
            application webhooks
          </Link>{' '}
          apply to every account.
        </p>
        <WebhookList
          webhooks={webhooks}
          csrf={context.csrf}
          toggleAction={toggleWebhook}
          deleteAction={deleteWebhookAction}
        />
      </section>
      <section aria-labelledby="new-webhook-heading" className="mt-10">
        <h2 id="new-webhook-heading" className="mb-3 text-lg font-semibold text-slate-900">
          New webhook on this account
        </h2>
        <CreateWebhookForm action={createWebhookAction} csrf={context.csrf} accountId={account.id} />
      </section>
    </DashboardShell>
  );
}
