import { cn } from '@/components/ui/cn';
import { formatTime } from './format';

export interface TimelineStep {
  label: string;
  /** When it happened; null while it has not (yet). */
  at: Date | null;
  /** Said instead of a time when the step has not happened. */
  pending: string;
  tone?: 'done' | 'bad';
}

/** A token's life as an ordered list: what happened when, and what has not happened yet. */
export function Timeline({ steps }: { steps: TimelineStep[] }) {
  return (
    <ol className="space-y-0">
      {steps.map((step, index) => {
        const done = !!step.at;
        return (
          <li key={step.label} className="relative flex gap-3 pb-5 last:pb-0">
            {index < steps.length - 1 && (
              <span aria-hidden="true" className="absolute top-5 left-[9px] h-full w-0.5 bg-slate-300" />
            )}
            <span
              aria-hidden="true"
              className={cn(
                'relative mt-0.5 h-5 w-5 shrink-0 rounded-full border-2',
                !done && 'border-slate-400 bg-white',
                done && step.tone !== 'bad' && 'border-emerald-700 bg-emerald-600',
                done && step.tone === 'bad' && 'border-slate-600 bg-slate-500',
              )}
            />
            <div className="min-w-0">
              <p className={cn('font-medium', done ? 'text-slate-900' : 'text-slate-700')}>{step.label}</p>
              <p className="text-sm text-slate-700">
                {step.at ? <time dateTime={step.at.toISOString()}>{formatTime(step.at)}</time> : step.pending}
              </p>
            </div>
          </li>
        );
      })}
    </ol>
  );
}
