import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { CreateTokenForm } from '@/components/dashboard/create-token-form';
import { DashboardShell } from '@/components/dashboard/shell';
import { findAccount } from '@/lib/accounts/data';
import { accountIdParam } from '@/lib/accounts/schema';
import { findSource } from '@/lib/sources/data';
import { sourceLabelParam } from '@/lib/sources/schema';
import { param } from '../../_shared/read';
import { requireDeveloper } from '../../_shared/session';
import { createToken } from '../actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Create a connect token', robots: { index: false } };

/** ?account=ID adds a mailbox to that account; with &source=LABEL it re-connects that source. */
export default async function NewTokenPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const context = await requireDeveloper('/dashboard/tokens/new');
  const query = await searchParams;
  const accountParam = param(query.account);
  const sourceParam = param(query.source);
  const account =
    accountParam && accountIdParam.safeParse(accountParam).success
      ? await findAccount(context.db, context.developerId, accountParam)
      : null;
  const source =
    account && sourceParam && sourceLabelParam.safeParse(sourceParam).success
      ? await findSource(context.db, context.developerId, account.id, sourceParam)
      : null;
  // A token for another developer's (or a deleted) account or source: a 404, like its own page.
  if ((accountParam && !account) || (sourceParam && !source)) notFound();
  const title = source ? 'Create a reconnect link' : account ? 'Add a mailbox to an account' : 'Create a connect token';
  return (
    <DashboardShell section="tokens" title={title} email={context.email} csrf={context.csrf}>
      <p className="mb-6 max-w-2xl text-slate-700">
        {source ? (
          <>
            Your user signs in again to <span className="font-medium break-all">{source.label}</span> (a new password or
            app password); its status goes back to OK.
          </>
        ) : account ? (
          <>
            Using this token attaches a new mailbox to account{' '}
            <Link href={`/dashboard/accounts/${account.id}`} className="text-indigo-700 underline underline-offset-4">
              {account.emailAddresses[0] ?? account.id}
            </Link>
            .
          </>
        ) : (
          <>
            Send your user to the token&apos;s browser redirect URL: they connect a mailbox and a new account is
            created. Tokens work for 24 hours.
          </>
        )}
      </p>
      <CreateTokenForm action={createToken} csrf={context.csrf} accountId={account?.id} sourceLabel={source?.label} />
    </DashboardShell>
  );
}
