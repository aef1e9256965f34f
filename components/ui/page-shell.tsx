import Link from 'next/link';
import type { ReactNode } from 'react';

/** Header, main landmark and footer shared by the public pages. */
export function PageShell({ children }: { children: ReactNode }) {
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <nav aria-label="Main" className="mx-auto flex max-w-4xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/" className="text-lg font-semibold text-indigo-700">
            Mailport
          </Link>
          <Link href="/dashboard" className="text-slate-700 underline-offset-4 hover:underline">
            Dashboard
          </Link>
          <Link href="/docs/api" className="text-slate-700 underline-offset-4 hover:underline">
            API reference
          </Link>
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-4xl px-4 py-8">
        {children}
      </main>
    </>
  );
}
