import type { Metadata } from 'next';
import Link from 'next/link';
import { PageShell } from '@/components/ui/page-shell';

export const metadata: Metadata = { title: 'Page not found', robots: { index: false } };

/**
 * Every 404 page: unknown addresses, and dashboard pages for a token, account
 * or source that is missing or another developer's (the same answer for both,
 * so ids cannot be probed).
 */
export default function NotFound() {
  return (
    <PageShell>
      <h1 className="text-2xl font-bold tracking-tight">Page not found</h1>
      <p className="mt-4 max-w-2xl text-slate-700">
        Nothing is here. It may have been deleted, or the address is mistyped.
      </p>
      <p className="mt-6 flex flex-wrap gap-x-6 gap-y-2">
        <Link href="/dashboard" className="text-indigo-700 underline underline-offset-4">
          Go to the dashboard
        </Link>
        <Link href="/" className="text-indigo-700 underline underline-offset-4">
          Go to the home page
        </Link>
      </p>
    </PageShell>
  );
}
