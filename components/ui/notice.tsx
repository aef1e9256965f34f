import type { ReactNode } from 'react';
import { cn } from './cn';

/** A confirmation (success) or a neutral note (info), announced politely; errors use ErrorSummary. */
export function Notice({ children, tone = 'success' }: { children: ReactNode; tone?: 'success' | 'info' }) {
  return (
    <div
      role="status"
      className={cn(
        'mb-5 rounded-md border p-3 text-sm',
        tone === 'success'
          ? 'border-emerald-300 bg-emerald-50 text-emerald-950'
          : 'border-sky-300 bg-sky-50 text-sky-950',
      )}
    >
      {children}
    </div>
  );
}
