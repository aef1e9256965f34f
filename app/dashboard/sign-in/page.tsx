import type { Metadata } from 'next';
import Link from 'next/link';
import { SignInForm } from '@/components/dashboard/auth-forms';
import { AuthFrame } from '@/components/dashboard/shell';
import { Notice } from '@/components/ui/notice';
import { getConfig } from '@/lib/env';
import { param } from '../_shared/read';
import { redirectIfSignedIn, safeReturnPath } from '../_shared/session';
import { signIn } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in', robots: { index: false } };

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  await redirectIfSignedIn();
  const query = await searchParams;
  return (
    <AuthFrame title="Sign in">
      {query.signed_out === '1' && <Notice tone="info">You have signed out.</Notice>}
      <SignInForm action={signIn} next={safeReturnPath(param(query.next))} />
      <div className="mt-6 space-y-2 border-t border-slate-200 pt-4 text-sm text-slate-700">
        {getConfig().dashboardSignup && (
          <p>
            New here?{' '}
            <Link href="/dashboard/sign-up" className="font-medium text-indigo-700 underline underline-offset-4">
              Create an account
            </Link>
          </p>
        )}
        <p>
          Forgot your password? The operator of this Mailport can give you a reset link with{' '}
          <code className="font-mono text-xs break-all">npm run dashboard:password -- --email you@example.com</code>
        </p>
      </div>
    </AuthFrame>
  );
}
