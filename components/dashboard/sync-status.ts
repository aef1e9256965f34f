/** A source's sync state (lib/mailbox-sync SYNC_STATES, or none) as a word with a tone. */
export function syncStateBadge(state: string | undefined): {
  label: string;
  tone: 'good' | 'waiting' | 'muted' | 'bad';
} {
  switch (state) {
    case 'queued':
      return { label: 'Queued', tone: 'waiting' };
    case 'running':
      return { label: 'Running', tone: 'waiting' };
    case 'done':
      return { label: 'Completed', tone: 'good' };
    case 'failed':
      return { label: 'Failed', tone: 'bad' };
    default:
      return { label: 'Not synced yet', tone: 'muted' };
  }
}

export const isSyncActive = (state: string | undefined) => state === 'queued' || state === 'running';
