'use client';

import { PageShell } from '@/components/ui/page-shell';

/**
 * What a page or server action shows when it fails unexpectedly, most often
 * because the database is briefly unreachable: the service recovers by itself,
 * so the page offers to try again instead of a crash. In production Next.js
 * hides the error's message from the browser; the digest finds it in the log.
 */
export default function ErrorPage({
  error,
  reset,
  retry,
}: {
  error: Error & { digest?: string };
  reset: () => void;
  retry?: () => void;
}) {
  return (
    <PageShell>
      <div role="alert" className="rounded-lg border border-amber-300 bg-amber-50 p-6">
        <h1 className="text-2xl font-bold tracking-tight">Temporarily unavailable</h1>
        <p className="mt-2 text-slate-700">
          Mailport could not complete this request. This is usually temporary, for example while its database restarts.
          Please try again in a few seconds.
        </p>
        {error.digest ? <p className="mt-2 text-sm text-slate-600">Reference: {error.digest}</p> : null}
        <button
          type="button"
          onClick={() => (retry ?? reset)()}
          className="mt-4 rounded-md bg-indigo-700 px-4 py-2 font-medium text-white hover:bg-indigo-800"
        >
          Try again
        </button>
      </div>
    </PageShell>
  );
}
