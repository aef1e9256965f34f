import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CallbackDeliveries } from '@/components/dashboard/callback-deliveries';
import { EmptyState } from '@/components/dashboard/empty-state';
import { formatTime } from '@/components/dashboard/format';
import { Pagination, pageFrom } from '@/components/dashboard/pagination';
import { DashboardShell } from '@/components/dashboard/shell';
import { StatusBadge } from '@/components/dashboard/status-badge';
import { describeFilters, webhookBadge } from '@/components/dashboard/webhook-list';
import { WEBHOOK_NOTICES } from '@/components/dashboard/webhook-notices';
import { ErrorSummary } from '@/components/ui/error-summary';
import { Notice } from '@/components/ui/notice';
import { findAnyWebhook, listWebhookDeliveries } from '@/lib/webhooks/data';
import { webhookIdParam } from '@/lib/webhooks/schema';
import { requireDeveloper } from '../../_shared/session';
import { retryWebhookDelivery } from '../actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Webhook', robots: { index: false } };

const PAGE_SIZE = 20;

/** One webhook: its settings and every delivery with its attempts, each with "Retry now". */
export default async function WebhookPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const selfPath = `/dashboard/webhooks/${encodeURIComponent(id)}`;
  const context = await requireDeveloper(selfPath);
  // Another developer's webhook is a 404, exactly like a missing one.
  const webhook = webhookIdParam.safeParse(id).success
    ? await findAnyWebhook(context.db, context.developerId, id)
    : null;
  if (!webhook) notFound();
  const page = pageFrom(query.page);
  const { deliveries, total } = await listWebhookDeliveries(context.db, webhook, {
    offset: (page - 1) * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  const notice = typeof query.notice === 'string' ? WEBHOOK_NOTICES[query.notice] : undefined;
  const badge = webhookBadge(webhook);
  const yesNo = (value: boolean) => (value ? 'Yes' : 'No');
  const rows: [string, string][] = [
    ['Webhook id', webhook.id],
    ['Level', webhook.accountId ? `Account ${webhook.accountId}` : 'Application (every account)'],
    ['Callback URL', webhook.callbackUrl],
    ['Failure notification URL', webhook.failureNotifUrl || 'None'],
    ['Filters', describeFilters(webhook)],
    ['Body', webhook.includeBody ? webhook.bodyType || 'text/plain and text/html' : 'No'],
    ['Headers', yesNo(webhook.includeHeader)],
    ['Drafts', yesNo(webhook.receiveDrafts)],
    ['Created', formatTime(webhook.createdAt)],
  ];
  return (
    <DashboardShell section="webhooks" title="Webhook" email={context.email} csrf={context.csrf}>
      {notice && (notice.isError ? <ErrorSummary message={notice.message} /> : <Notice>{notice.message}</Notice>)}
      <p className="mb-6 text-sm">
        <Link
          href={webhook.accountId ? `/dashboard/accounts/${webhook.accountId}` : '/dashboard/webhooks'}
          className="text-indigo-700 underline underline-offset-4"
        >
          ← Back to the webhooks
        </Link>
      </p>
      <dl className="grid max-w-3xl grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr] sm:gap-y-2">
        <dt className="font-medium text-slate-900">State</dt>
        <dd className="mb-2 sm:mb-0">
          <StatusBadge label={badge.label} tone={badge.tone} />
        </dd>
        {rows.map(([term, value]) => (
          <div key={term} className="contents">
            <dt className="font-medium text-slate-900">{term}</dt>
            <dd className="mb-2 min-w-0 break-all text-slate-800 sm:mb-0">{value}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby="deliveries-heading" className="mt-10 max-w-3xl">
        <h2 id="deliveries-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Deliveries
        </h2>
        <CallbackDeliveries
          deliveries={deliveries}
          csrf={context.csrf}
          retryAction={retryWebhookDelivery.bind(null, webhook.id)}
          empty={
            <EmptyState title="No deliveries yet">
              New mail that matches this webhook, found after a mailbox’s initial sync, is POSTed to it.
            </EmptyState>
          }
        />
        <Pagination basePath={selfPath} query={{}} page={page} pageSize={PAGE_SIZE} total={total} noun="deliveries" />
      </section>
    </DashboardShell>
  );
}
