'use client';

import { useFormStatus } from 'react-dom';

/** A submit button that says what is happening while the server works (JavaScript only; plain forms just submit). */
export function SubmitButton({ children, pendingText }: { children: string; pendingText: string }) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      aria-disabled={pending}
      className="inline-flex w-full items-center justify-center gap-2 rounded-md bg-indigo-700 px-4 py-3 font-semibold text-white hover:bg-indigo-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-700 aria-disabled:cursor-wait aria-disabled:opacity-80 sm:w-auto"
      onClick={(event) => {
        if (pending) event.preventDefault();
      }}
    >
      {pending && (
        <span
          aria-hidden="true"
          className="h-4 w-4 animate-spin rounded-full border-2 border-white border-t-transparent"
        />
      )}
      <span aria-live="polite">{pending ? pendingText : children}</span>
    </button>
  );
}
