'use client';

import { useEffect, useRef } from 'react';

/**
 * A form's error, announced and focused so screen readers hear it first: by
 * autoFocus on a plain page load, by an effect after a client-side submission
 * (React does not move focus for an element that appears on re-render).
 */
export function ErrorSummary({ message }: { message: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) ref.current?.focus();
  }, [message]);
  return (
    <div
      ref={ref}
      role="alert"
      tabIndex={-1}
      // biome-ignore lint/a11y/noAutofocus: moving focus to the error summary is the accessible pattern here.
      autoFocus
      className="mb-5 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 focus:outline focus:outline-2 focus:outline-red-700"
    >
      {message}
    </div>
  );
}
