import type { Metadata } from 'next';
import Link from 'next/link';
import { DashboardShell } from '@/components/dashboard/shell';
import { Notice } from '@/components/ui/notice';
import { countAccounts } from '@/lib/accounts/data';
import { listConnectTokensForDashboard } from '@/lib/connect-tokens/data';
import { listApiKeys } from '@/lib/developers/data';
import { requireDeveloper } from './_shared/session';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Dashboard', robots: { index: false } };

export default async function DashboardPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const context = await requireDeveloper('/dashboard');
  const query = await searchParams;
  const none = { offset: 0, limit: 0 };
  const [keys, unusedTokens, accounts] = await Promise.all([
    listApiKeys(context.db, context.developerId, none),
    listConnectTokensForDashboard(context.db, context.developerId, { status: 'unused' }, none, context.now),
    countAccounts(context.db, context.developerId, {}),
  ]);
  const cards = [
    { href: '/dashboard/keys', label: 'Active API keys', value: keys.active },
    { href: '/dashboard/tokens?status=unused', label: 'Unused connect tokens', value: unusedTokens.total },
    { href: '/dashboard/accounts', label: 'Connected accounts', value: accounts },
  ];
  return (
    <DashboardShell section="overview" title={context.appName} email={context.email} csrf={context.csrf}>
      {query.welcome === '1' && <Notice>Welcome to Mailport. Start by creating an API key.</Notice>}
      {query.password === 'reset' && <Notice>Your new password is saved and you are signed in.</Notice>}
      <ul className="grid gap-4 sm:grid-cols-3">
        {cards.map((card) => (
          <li key={card.href}>
            <Link
              href={card.href}
              className="block rounded-lg border border-slate-200 bg-white p-4 hover:border-indigo-400"
            >
              <span className="block text-3xl font-bold text-slate-900">{card.value}</span>
              <span className="mt-1 block text-slate-700">{card.label}</span>
            </Link>
          </li>
        ))}
      </ul>
      <section aria-labelledby="next-heading" className="mt-10 max-w-2xl">
        <h2 id="next-heading" className="text-lg font-semibold text-slate-900">
          Getting started
        </h2>
        <ol className="mt-3 list-decimal space-y-2 pl-5 text-slate-800">
          <li>
            <Link href="/dashboard/keys" className="text-indigo-700 underline underline-offset-4">
              Create an API key
            </Link>{' '}
            and give its key and secret to your Context.IO client library.
          </li>
          <li>
            Create a connect token with <code className="font-mono text-sm">POST /2.0/connect_tokens</code>, or{' '}
            <Link href="/dashboard/tokens/new" className="text-indigo-700 underline underline-offset-4">
              here
            </Link>
            , and send your user to its browser redirect URL.
          </li>
          <li>
            When they come back to your callback, read the account from{' '}
            <Link href="/dashboard/accounts" className="text-indigo-700 underline underline-offset-4">
              Accounts
            </Link>{' '}
            or the API.
          </li>
        </ol>
        <p className="mt-4 text-slate-700">
          The full reference is at{' '}
          <Link href="/docs/api" className="text-indigo-700 underline underline-offset-4">
            API reference
          </Link>
          .
        </p>
      </section>
    </DashboardShell>
  );
}
