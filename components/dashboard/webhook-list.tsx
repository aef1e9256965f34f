import Link from 'next/link';
import { SubmitButton } from '@/components/ui/submit-button';
import type { WebhookRow } from '@/lib/webhooks/data';
import { EmptyState } from './empty-state';
import { StatusBadge } from './status-badge';

/** A webhook's state in words: paused by the developer, given up after retries, or live. */
export function webhookBadge(webhook: Pick<WebhookRow, 'active' | 'failure'>) {
  if (webhook.failure) return { label: 'Failed', tone: 'bad' } as const;
  return webhook.active ? ({ label: 'Active', tone: 'good' } as const) : ({ label: 'Paused', tone: 'muted' } as const);
}

/** The filters a webhook was given, for one line of text. */
export function describeFilters(webhook: WebhookRow): string {
  const filters = Object.entries({
    from: webhook.filterFrom,
    to: webhook.filterTo,
    cc: webhook.filterCc,
    subject: webhook.filterSubject,
    thread: webhook.filterThread,
    'file name': webhook.filterFileName,
    folder: webhook.filterFolderAdded,
    'to domain': webhook.filterToDomain,
    'from domain': webhook.filterFromDomain,
  }).filter(([, value]) => value);
  return filters.length === 0 ? 'Every new message' : filters.map(([name, value]) => `${name}: ${value}`).join(' · ');
}

/** Webhooks with their state, a pause/resume toggle and delete: plain forms, so no JavaScript is needed. */
export function WebhookList({
  webhooks,
  csrf,
  toggleAction,
  deleteAction,
}: {
  webhooks: WebhookRow[];
  csrf: string;
  toggleAction: (formData: FormData) => Promise<void>;
  deleteAction: (formData: FormData) => Promise<void>;
}) {
  if (webhooks.length === 0) {
    return (
      <EmptyState title="No webhooks yet">
        Create one below, or with <code>POST /2.0/webhooks</code>.
      </EmptyState>
    );
  }
  return (
    <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
      {webhooks.map((webhook) => {
        const badge = webhookBadge(webhook);
        const isLive = webhook.active && !webhook.failure;
        return (
          <li key={webhook.id} className="grid gap-2 p-4 sm:grid-cols-[1fr_auto] sm:items-center">
            <div className="min-w-0">
              <Link
                href={`/dashboard/webhooks/${webhook.id}`}
                className="font-mono text-sm break-all text-indigo-700 underline underline-offset-4"
              >
                {webhook.callbackUrl}
              </Link>
              <p className="mt-1 text-sm break-all text-slate-700">{describeFilters(webhook)}</p>
              <p className="mt-1">
                <StatusBadge label={badge.label} tone={badge.tone} />
              </p>
            </div>
            <div className="flex gap-2">
              <form action={toggleAction}>
                <input type="hidden" name="csrf" value={csrf} />
                <input type="hidden" name="webhookId" value={webhook.id} />
                <input type="hidden" name="active" value={isLive ? '0' : '1'} />
                <SubmitButton variant="secondary">{isLive ? 'Pause' : 'Resume'}</SubmitButton>
              </form>
              <form action={deleteAction}>
                <input type="hidden" name="csrf" value={csrf} />
                <input type="hidden" name="webhookId" value={webhook.id} />
                <SubmitButton variant="danger">Delete</SubmitButton>
              </form>
            </div>
          </li>
        );
      })}
    </ul>
  );
}
