import type { Metadata } from 'next';
import Link from 'next/link';
import { NewPasswordForm } from '@/components/dashboard/auth-forms';
import { AuthFrame } from '@/components/dashboard/shell';
import { getDb } from '@/lib/db/client';
import { isPasswordResetUsable } from '@/lib/sessions/data';
import { PASSWORD_MIN_LENGTH } from '@/lib/sessions/schema';
import { choosePassword } from '../../sign-in/actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Choose a new password', robots: { index: false } };

/** The operator's one-time link (npm run dashboard:password) lands here. */
export default async function ResetPasswordPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  if (!(await isPasswordResetUsable(await getDb(), token, new Date()))) {
    return (
      <AuthFrame title="This link does not work">
        <p className="text-slate-700">
          Password links work once, for 24 hours. Ask the operator of this Mailport for a new one.
        </p>
        <p className="mt-6">
          <Link href="/dashboard/sign-in" className="font-medium text-indigo-700 underline underline-offset-4">
            Go to sign in
          </Link>
        </p>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title="Choose a new password">
      <NewPasswordForm
        action={choosePassword.bind(null, token)}
        minLength={PASSWORD_MIN_LENGTH}
        submitLabel="Save password and sign in"
      />
    </AuthFrame>
  );
}
