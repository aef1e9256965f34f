import Link from 'next/link';
import type { ReactNode } from 'react';
import { buttonClass } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';

export type DashboardSection =
  | 'overview'
  | 'keys'
  | 'oauth-providers'
  | 'tokens'
  | 'accounts'
  | 'webhooks'
  | 'settings';

const SECTIONS: { id: DashboardSection; href: string; label: string }[] = [
  { id: 'overview', href: '/dashboard', label: 'Overview' },
  { id: 'keys', href: '/dashboard/keys', label: 'API keys' },
  { id: 'oauth-providers', href: '/dashboard/oauth-providers', label: 'OAuth providers' },
  { id: 'tokens', href: '/dashboard/tokens', label: 'Connect tokens' },
  { id: 'accounts', href: '/dashboard/accounts', label: 'Accounts' },
  { id: 'webhooks', href: '/dashboard/webhooks', label: 'Webhooks' },
  { id: 'settings', href: '/dashboard/settings', label: 'Settings' },
];

/** The frame of every signed-in dashboard page: navigation, who is signed in, sign-out. */
export function DashboardShell({
  section,
  title,
  email,
  csrf,
  actions,
  children,
}: {
  section: DashboardSection;
  title: string;
  email: string;
  csrf: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-6 gap-y-2 px-4 py-3">
          <Link href="/dashboard" className="text-lg font-semibold text-indigo-700">
            Mailport
          </Link>
          <div className="flex min-w-0 flex-wrap items-center gap-3 text-sm">
            <span className="min-w-0 truncate text-slate-700">{email}</span>
            {/* A plain POST so signing out works without JavaScript; the CSRF token is bound to this session. */}
            <form method="post" action="/dashboard/sign-out">
              <input type="hidden" name="csrf" value={csrf} />
              <button type="submit" className={cn(buttonClass('secondary'), 'px-3 py-1 text-sm')}>
                Sign out
              </button>
            </form>
          </div>
        </div>
        <nav aria-label="Dashboard" className="mx-auto max-w-5xl px-4">
          <ul className="flex flex-wrap gap-x-1 gap-y-1 pb-2">
            {SECTIONS.map((item) => (
              <li key={item.id}>
                <Link
                  href={item.href}
                  aria-current={item.id === section ? 'page' : undefined}
                  className={cn(
                    'block rounded-md px-3 py-2 text-sm font-medium',
                    item.id === section ? 'bg-indigo-50 text-indigo-800' : 'text-slate-700 hover:bg-slate-100',
                  )}
                >
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" className="mx-auto max-w-5xl px-4 py-8">
        <div className="mb-6 flex flex-wrap items-center justify-between gap-4">
          <h1 className="min-w-0 text-2xl font-bold break-words text-slate-900">{title}</h1>
          {actions}
        </div>
        {children}
      </main>
    </>
  );
}

/** The frame of the signed-out pages: sign-in, sign-up, password reset. */
export function AuthFrame({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="min-h-screen bg-slate-50 px-4 py-8 sm:py-16">
      <main id="main" className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
        <p className="text-sm font-semibold text-indigo-700">Mailport dashboard</p>
        <h1 className="mt-2 text-2xl font-bold text-slate-900">{title}</h1>
        <div className="mt-6">{children}</div>
      </main>
    </div>
  );
}
