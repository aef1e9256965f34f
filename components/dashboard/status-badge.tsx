import { cn } from '@/components/ui/cn';

const TONES = {
  good: 'border-emerald-300 bg-emerald-50 text-emerald-900',
  waiting: 'border-sky-300 bg-sky-50 text-sky-900',
  muted: 'border-slate-300 bg-slate-100 text-slate-800',
  bad: 'border-red-300 bg-red-50 text-red-900',
} as const;

/** A status as a word with a colour; the word alone carries the meaning. */
export function StatusBadge({ label, tone }: { label: string; tone: keyof typeof TONES }) {
  return (
    <span className={cn('inline-block rounded-full border px-2 py-0.5 text-xs font-semibold', TONES[tone])}>
      {label}
    </span>
  );
}

export const tokenStatusBadge = {
  unused: { label: 'Unused', tone: 'waiting' },
  used: { label: 'Used', tone: 'good' },
  expired: { label: 'Expired', tone: 'muted' },
} as const;
