'use client';

import { useEffect, useState } from 'react';
import { buttonClass } from '@/components/ui/button';
import { inputClass, labelClass } from '@/components/ui/field';

/**
 * A value to copy: a read-only field anyone can select (no JavaScript needed),
 * plus a Copy button once JavaScript runs.
 */
export function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [canCopy, setCanCopy] = useState(false);
  const [copied, setCopied] = useState(false);
  useEffect(() => setCanCopy(typeof navigator !== 'undefined' && !!navigator.clipboard), []);
  return (
    <div>
      <label htmlFor={id} className={labelClass}>
        {label}
      </label>
      <div className="mt-1 flex flex-wrap gap-2 sm:flex-nowrap">
        <input
          id={id}
          readOnly
          value={value}
          className={`${inputClass} mt-0 font-mono text-sm`}
          onFocus={(event) => event.currentTarget.select()}
        />
        {canCopy && (
          <button
            type="button"
            className={buttonClass('secondary')}
            onClick={async () => {
              await navigator.clipboard.writeText(value);
              setCopied(true);
              setTimeout(() => setCopied(false), 3000);
            }}
          >
            Copy
          </button>
        )}
      </div>
      <p aria-live="polite" className="mt-1 h-5 text-sm text-emerald-800">
        {copied ? 'Copied to the clipboard.' : ''}
      </p>
    </div>
  );
}
