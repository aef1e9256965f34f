'use client';

import { useEffect, useRef } from 'react';

/**
 * A form's error, announced and focused so screen readers hear it first. Without
 * JavaScript the browser honours `autofocus`; with it, React does not move focus
 * to a div that appears on client navigation, so an effect does, on mount and
 * whenever the message changes. Give it a fresh `key` per server render where
 * the same error can repeat (a second wrong password), so it is focused again.
 */
export function ErrorSummary({ message }: { message: string }) {
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (message) summary.current?.focus();
  }, [message]);
  return (
    <div
      ref={summary}
      id="form-error"
      role="alert"
      tabIndex={-1}
      // biome-ignore lint/a11y/noAutofocus: moving focus to the error summary is the accessible pattern here.
      autoFocus
      className="mb-5 rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-900 dark:border-red-700 dark:bg-red-950 dark:text-red-100 focus:outline focus:outline-2 focus:outline-red-700"
    >
      {message}
    </div>
  );
}
