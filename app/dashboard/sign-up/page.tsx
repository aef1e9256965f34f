import type { Metadata } from 'next';
import Link from 'next/link';
import { SignUpForm } from '@/components/dashboard/auth-forms';
import { AuthFrame } from '@/components/dashboard/shell';
import { getConfig } from '@/lib/env';
import { PASSWORD_MIN_LENGTH } from '@/lib/sessions/schema';
import { redirectIfSignedIn } from '../_shared/session';
import { signUp } from '../sign-in/actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Create an account', robots: { index: false } };

export default async function SignUpPage() {
  await redirectIfSignedIn();
  if (!getConfig().dashboardSignup) {
    return (
      <AuthFrame title="Sign-up is turned off">
        <p className="text-slate-700">
          The operator of this Mailport creates developer accounts. Ask them for an account and a sign-in link.
        </p>
        <p className="mt-6">
          <Link href="/dashboard/sign-in" className="font-medium text-indigo-700 underline underline-offset-4">
            Back to sign in
          </Link>
        </p>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title="Create an account">
      <SignUpForm action={signUp} minLength={PASSWORD_MIN_LENGTH} />
      <p className="mt-6 border-t border-slate-200 pt-4 text-sm text-slate-700">
        Already have an account?{' '}
        <Link href="/dashboard/sign-in" className="font-medium text-indigo-700 underline underline-offset-4">
          Sign in
        </Link>
      </p>
    </AuthFrame>
  );
}
