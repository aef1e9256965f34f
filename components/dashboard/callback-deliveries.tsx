import type { ReactNode } from 'react';
import { SubmitButton } from '@/components/ui/submit-button';
import type { DeliveryRow } from '@/lib/callbacks/data';
import { EmptyState } from './empty-state';
import { formatTime } from './format';
import { StatusBadge } from './status-badge';

const KIND_LABELS: Record<string, string> = {
  initial_sync_completed: 'Source callback',
  status_changed: 'Status callback',
  message_new: 'Webhook: new message',
  message_flags_changed: 'Webhook: flags changed',
  message_deleted: 'Webhook: message deleted',
  webhook_failed: 'Webhook failure notice',
};

const STATE_BADGES = {
  pending: { label: 'Pending', tone: 'waiting' },
  delivered: { label: 'Delivered', tone: 'good' },
  failed: { label: 'Failed', tone: 'bad' },
} as const;

const stateBadge = (state: string) =>
  STATE_BADGES[state as keyof typeof STATE_BADGES] ?? ({ label: state, tone: 'muted' } as const);

/**
 * A source's callback deliveries, newest first: each row opens (a native
 * <details>, so no JavaScript is needed) to the payload sent and every attempt.
 */
export function CallbackDeliveries({
  deliveries,
  csrf,
  retryAction,
  empty,
}: {
  deliveries: DeliveryRow[];
  csrf: string;
  retryAction: (formData: FormData) => Promise<void>;
  /** What to say when there is nothing yet (the source's callbacks by default). */
  empty?: ReactNode;
}) {
  if (deliveries.length === 0) {
    if (empty) return <>{empty}</>;
    return (
      <EmptyState title="No callbacks yet">
        They are sent when the initial sync completes (<code>source_callback_url</code>) or the source's status changes
        (<code>status_callback_url</code>). Give those URLs when you create the connect token.
      </EmptyState>
    );
  }
  return (
    <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
      {deliveries.map((delivery) => {
        const badge = stateBadge(delivery.state);
        const kind = KIND_LABELS[delivery.event] ?? delivery.event;
        return (
          <li key={delivery.id} className="p-4">
            <details>
              <summary className="cursor-pointer list-inside">
                <span className="inline-flex flex-wrap items-center gap-x-3 gap-y-1 align-top">
                  <span className="font-medium text-slate-900">{kind}</span>
                  <StatusBadge label={badge.label} tone={badge.tone} />
                  <span className="text-sm text-slate-700">
                    {formatTime(delivery.createdAt)} · {delivery.attempts}{' '}
                    {delivery.attempts === 1 ? 'attempt' : 'attempts'}
                  </span>
                </span>
                <span className="mt-1 block font-mono text-sm break-all text-slate-800">{delivery.url}</span>
              </summary>
              <div className="mt-4 space-y-4">
                {delivery.state !== 'delivered' && (
                  <form action={retryAction}>
                    <input type="hidden" name="csrf" value={csrf} />
                    <input type="hidden" name="deliveryId" value={delivery.id} />
                    <SubmitButton variant="secondary" pendingText="Queuing…">
                      Retry now
                    </SubmitButton>
                  </form>
                )}
                <div>
                  <h3 className="mb-2 text-sm font-semibold text-slate-900">Attempts</h3>
                  {delivery.attemptsMade.length === 0 ? (
                    <p className="text-sm text-slate-700">No attempt yet: the first one is on its way.</p>
                  ) : (
                    <ol className="space-y-2 text-sm">
                      {delivery.attemptsMade.map((attempt, index) => (
                        <li key={attempt.id} className="rounded-md border border-slate-200 p-2">
                          <span className="font-medium text-slate-900">Attempt {index + 1}</span>
                          <span className="text-slate-800">
                            {' '}
                            · {formatTime(attempt.attemptedAt)} ·{' '}
                            {attempt.statusCode === null ? 'no response' : `HTTP ${attempt.statusCode}`} ·{' '}
                            {attempt.latencyMs} ms
                          </span>
                          {attempt.error && (
                            <span className="mt-1 block break-all text-red-900">Error: {attempt.error}</span>
                          )}
                        </li>
                      ))}
                    </ol>
                  )}
                </div>
                <div>
                  <h3 className="mb-2 text-sm font-semibold text-slate-900">Payload</h3>
                  {/* The exact body sent (and re-sent on every retry), signature included. */}
                  <pre
                    data-testid="delivery-payload"
                    className="max-h-96 overflow-auto rounded-md bg-slate-900 p-3 text-xs whitespace-pre-wrap break-all text-slate-100"
                  >
                    {JSON.stringify(delivery.body, null, 2)}
                  </pre>
                </div>
              </div>
            </details>
          </li>
        );
      })}
    </ul>
  );
}
