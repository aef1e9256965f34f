'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/dashboard/fields';
import { getDb } from '@/lib/db/client';
import { getConfig } from '@/lib/env';
import { clientAddressFrom } from '@/lib/http/client-address';
import { resetPassword, signInDeveloper, signUpDeveloper } from '@/lib/sessions/mutations';
import { resetPasswordInput, signInInput, signUpInput } from '@/lib/sessions/schema';
import { formValues, invalidForm } from '../_shared/forms';
import { text } from '../_shared/read';
import { safeReturnPath, startSession } from '../_shared/session';

/**
 * The signed-out actions. They need no CSRF token of their own: there is no
 * session to ride on yet, and Next.js refuses server actions from another Origin.
 */

const SIGN_IN_ERRORS = {
  invalid: 'That email and password do not match. Check them and try again.',
  rate_limited:
    'Too many wrong passwords for this email. Wait 15 minutes and try again, or ask the operator for a reset link.',
  address_rate_limited: 'Too many wrong passwords from your network. Wait 15 minutes and try again.',
} as const;

export async function signIn(_state: FormState, formData: FormData): Promise<FormState> {
  const raw = { email: text(formData, 'email'), password: text(formData, 'password') };
  const values = formValues(formData, ['password']);
  const parsed = signInInput.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, values);
  const db = await getDb();
  const now = new Date();
  const result = await signInDeveloper(db, parsed.data, clientAddressFrom(await headers()), now);
  if (!result.ok) return { values, error: SIGN_IN_ERRORS[result.reason] };
  await startSession(db, result.developerId);
  redirect(safeReturnPath(text(formData, 'next')));
}

export async function signUp(_state: FormState, formData: FormData): Promise<FormState> {
  if (!getConfig().dashboardSignup) return { error: 'Sign-up is turned off on this Mailport. Ask its operator.' };
  const raw = {
    email: text(formData, 'email'),
    appName: text(formData, 'appName'),
    password: text(formData, 'password'),
  };
  const values = formValues(formData, ['password']);
  const parsed = signUpInput.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, values);
  const db = await getDb();
  const now = new Date();
  const result = await signUpDeveloper(db, parsed.data, clientAddressFrom(await headers()), now);
  if (!result.ok && result.reason === 'rate_limited') {
    return {
      values,
      error: 'Too many accounts were created from your network recently. Try again in an hour.',
    };
  }
  if (!result.ok) {
    return {
      values,
      fieldErrors: { email: 'This email already has an account.' },
      error: 'This email already has an account. Sign in instead, or ask the operator for a password reset link.',
    };
  }
  await startSession(db, result.developerId);
  redirect('/dashboard?welcome=1');
}

export async function choosePassword(token: string, _state: FormState, formData: FormData): Promise<FormState> {
  const raw = { password: text(formData, 'password'), confirmPassword: text(formData, 'confirmPassword') };
  const parsed = resetPasswordInput.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, {});
  const db = await getDb();
  const now = new Date();
  const result = await resetPassword(db, token, parsed.data.password, now);
  if (!result.ok) {
    return { error: 'This link has been used or has expired. Ask the operator for a new one.' };
  }
  await startSession(db, result.developerId);
  redirect('/dashboard?password=reset');
}
