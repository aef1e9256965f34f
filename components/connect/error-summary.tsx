'use client';

import { useEffect, useRef } from 'react';

/**
 * The form's error, announced and focused so screen readers hear it first. Without JavaScript the
 * browser honours `autofocus`; with it, React does not focus a div on client navigation, so we do.
 * Give it a fresh `key` per server render so a repeated error is focused again.
 */
export function ErrorSummary({ message }: { message: string }) {
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    summary.current?.focus();
  }, []);
  return (
    <div
      ref={summary}
      id="form-error"
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
