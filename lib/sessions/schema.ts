import { z } from 'zod';
import { emailAddress, MAX_EMAIL_LENGTH, storableString } from '@/lib/validation/fields';

const CONTROL_CHARACTERS = 'Remove the control characters (such as tabs or line breaks) from this field.';

/**
 * Dashboard sign-in inputs, shared by the server actions, the operator command
 * and the tests. Messages speak to the developer filling in the form.
 */

/** A session lasts this long from sign-in; signing out or a password reset ends it sooner. */
export const SESSION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
/** A reset link from `npm run dashboard:password` works once, within this time. */
export const PASSWORD_RESET_LIFETIME_MS = 24 * 60 * 60 * 1000;
/* Wrong-password limits: lib/rate-limits/schema.ts. */

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 200;

export const emailField = emailAddress({
  messages: {
    invalid: 'Enter an email address like you@example.com.',
    required: 'Enter your email address.',
    tooLong: `Use at most ${MAX_EMAIL_LENGTH} characters.`,
    controlCharacters: CONTROL_CHARACTERS,
  },
  lowerCase: true,
});

export const newPasswordField = storableString({ error: 'Choose a password.', message: CONTROL_CHARACTERS })
  .min(PASSWORD_MIN_LENGTH, `Use at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(PASSWORD_MAX_LENGTH, `Use at most ${PASSWORD_MAX_LENGTH} characters.`);

export const signInInput = z.object({
  email: emailField,
  password: z.string({ error: 'Enter your password.' }).min(1, 'Enter your password.').max(PASSWORD_MAX_LENGTH),
});
export type SignInInput = z.infer<typeof signInInput>;

export const signUpInput = z.object({
  email: emailField,
  appName: storableString({ error: 'Enter the app name your users will see.', message: CONTROL_CHARACTERS })
    .trim()
    .min(1, 'Enter the app name your users will see.')
    .max(80, 'Use at most 80 characters.'),
  password: newPasswordField,
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const resetPasswordInput = z
  .object({ password: newPasswordField, confirmPassword: z.string() })
  .refine((value) => value.password === value.confirmPassword, {
    path: ['confirmPassword'],
    error: 'The two passwords differ. Type the same password twice.',
  });

export const changePasswordInput = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password.').max(PASSWORD_MAX_LENGTH),
    newPassword: newPasswordField,
    confirmPassword: z.string(),
  })
  .refine((value) => value.newPassword === value.confirmPassword, {
    path: ['confirmPassword'],
    error: 'The two passwords differ. Type the same password twice.',
  });
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
