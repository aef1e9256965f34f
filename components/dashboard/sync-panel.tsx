import Link from 'next/link';
import { SubmitButton } from '@/components/ui/submit-button';
import type { SourceSyncRow } from '@/lib/mailbox-sync/data';
import { AutoRefresh } from './auto-refresh';
import { formatTime } from './format';
import { StatusBadge } from './status-badge';
import { isSyncActive, syncStateBadge } from './sync-status';

/**
 * A source's sync: state, progress and the last run, refreshed every 2 s while
 * a sync is queued or running (a Refresh link does it without JavaScript), and
 * the "Re-run a sync" form.
 */
export function SyncPanel({
  sync,
  selfPath,
  csrf,
  rerunAction,
}: {
  sync: SourceSyncRow | null;
  selfPath: string;
  csrf: string;
  rerunAction: (formData: FormData) => Promise<void>;
}) {
  const badge = syncStateBadge(sync?.state);
  const isActive = isSyncActive(sync?.state);
  const foldersTotal = sync?.foldersTotal ?? 0;
  const foldersDone = sync?.foldersDone ?? 0;
  const messages = sync?.messagesSynced ?? 0;
  const summary = !sync
    ? 'No sync has run yet.'
    : `${badge.label}: ${foldersDone} of ${foldersTotal} folders, ${messages} ${messages === 1 ? 'message' : 'messages'} synced.`;
  return (
    <section aria-labelledby="sync-heading" className="mt-10 max-w-3xl">
      <AutoRefresh isActive={isActive} />
      <h2 id="sync-heading" className="mb-3 text-lg font-semibold text-slate-900">
        Sync
      </h2>
      <div className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-center gap-3">
          <StatusBadge label={badge.label} tone={badge.tone} />
          <p role="status" aria-live="polite" aria-atomic="true" className="text-sm text-slate-800">
            {summary}
          </p>
        </div>
        <div>
          <label htmlFor="sync-progress" className="block text-sm font-medium text-slate-900">
            Folders synced
          </label>
          {/* Without a total yet (folders not listed) the bar is indeterminate. */}
          <progress
            id="sync-progress"
            className="mt-1 h-3 w-full overflow-hidden rounded-full accent-indigo-700 [&::-moz-progress-bar]:bg-indigo-700 [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-indigo-700"
            max={foldersTotal || undefined}
            value={foldersTotal ? foldersDone : undefined}
          >
            {foldersTotal ? `${foldersDone} of ${foldersTotal}` : 'Not known yet'}
          </progress>
        </div>
        <dl className="grid grid-cols-1 gap-x-4 gap-y-1 text-sm sm:grid-cols-[auto_1fr] sm:gap-y-2">
          <dt className="font-medium text-slate-900">Messages synced</dt>
          <dd className="mb-2 text-slate-800 sm:mb-0">{messages}</dd>
          <dt className="font-medium text-slate-900">Initial sync</dt>
          <dd className="mb-2 text-slate-800 sm:mb-0">
            {sync?.initialSyncDoneAt ? `Finished ${formatTime(sync.initialSyncDoneAt)}` : 'Not finished yet'}
          </dd>
          <dt className="font-medium text-slate-900">Last sync started</dt>
          <dd className="mb-2 text-slate-800 sm:mb-0">
            {sync?.lastSyncStart ? formatTime(sync.lastSyncStart) : 'Never'}
          </dd>
          <dt className="font-medium text-slate-900">Last sync finished</dt>
          <dd className="mb-2 text-slate-800 sm:mb-0">
            {sync?.lastSyncStop ? formatTime(sync.lastSyncStop) : 'Never'}
          </dd>
          {sync?.lastError && (
            <>
              <dt className="font-medium text-slate-900">Last error</dt>
              <dd className="mb-2 min-w-0 break-all text-red-900 sm:mb-0">{sync.lastError}</dd>
            </>
          )}
        </dl>
        <div className="flex flex-wrap items-center gap-3">
          <form action={rerunAction}>
            <input type="hidden" name="csrf" value={csrf} />
            <SubmitButton variant="secondary" pendingText="Queuing…">
              Re-run a sync
            </SubmitButton>
          </form>
          {isActive && (
            <Link href={selfPath} className="text-sm text-indigo-700 underline underline-offset-4">
              Refresh progress
            </Link>
          )}
        </div>
      </div>
    </section>
  );
}
