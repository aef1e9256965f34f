import type { Metadata } from 'next';
import { CreateWebhookForm } from '@/components/dashboard/create-webhook-form';
import { DashboardShell } from '@/components/dashboard/shell';
import { WebhookList } from '@/components/dashboard/webhook-list';
import { WEBHOOK_NOTICES } from '@/components/dashboard/webhook-notices';
import { ErrorSummary } from '@/components/ui/error-summary';
import { Notice } from '@/components/ui/notice';
import { listWebhooks } from '@/lib/webhooks/data';
import { requireDeveloper } from '../_shared/session';
import { createWebhookAction, deleteWebhookAction, toggleWebhook } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Webhooks', robots: { index: false } };

/** Application-level webhooks (GET/POST /2.0/webhooks): on every account. Account-level ones are on each account's page. */
export default async function WebhooksPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const context = await requireDeveloper('/dashboard/webhooks');
  const query = await searchParams;
  const notice = typeof query.notice === 'string' ? WEBHOOK_NOTICES[query.notice] : undefined;
  const webhooks = await listWebhooks(context.db, context.developerId, { accountId: null }, { offset: 0, limit: 100 });
  return (
    <DashboardShell section="webhooks" title="Webhooks" email={context.email} csrf={context.csrf}>
      {notice && (notice.isError ? <ErrorSummary message={notice.message} /> : <Notice>{notice.message}</Notice>)}
      <p className="mb-6 max-w-3xl text-sm text-slate-800">
        These webhooks apply to every account of your application. Webhooks on one account are on that account’s page.
        Open a webhook to see each delivery and its attempts.
      </p>
      <section aria-labelledby="webhooks-heading" className="max-w-3xl">
        <h2 id="webhooks-heading" className="mb-3 text-lg font-semibold text-slate-900">
          Application webhooks
        </h2>
        <WebhookList
          webhooks={webhooks}
          csrf={context.csrf}
          toggleAction={toggleWebhook}
          deleteAction={deleteWebhookAction}
        />
      </section>
      <section aria-labelledby="new-webhook-heading" className="mt-10">
        <h2 id="new-webhook-heading" className="mb-3 text-lg font-semibold text-slate-900">
          New application webhook
        </h2>
        <CreateWebhookForm action={createWebhookAction} csrf={context.csrf} />
      </section>
    </DashboardShell>
  );
}
