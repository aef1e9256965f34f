'use server';

import { revalidatePath } from 'next/cache';
import type { FormState } from '@/components/dashboard/fields';
import { removeLogo, setLogo, updateBrand } from '@/lib/brands/mutations';
import { updateBrandInput } from '@/lib/brands/schema';
import { currentTime } from '@/lib/clock';
import { updateDeveloperSettings } from '@/lib/developers/mutations';
import { updateDeveloperSettingsInput } from '@/lib/developers/schema';
import { changePassword } from '@/lib/sessions/mutations';
import { changePasswordInput } from '@/lib/sessions/schema';
import { formValues, invalidForm } from '../_shared/forms';
import { text } from '../_shared/read';
import { guardAction } from '../_shared/session';

export async function saveSettings(_state: FormState, formData: FormData): Promise<FormState> {
  const guard = await guardAction(formData);
  if (!guard.ok) return { error: guard.message };
  const values = formValues(formData);
  const raw = { appName: text(formData, 'appName'), callbackUrlPrefixes: text(formData, 'callbackUrlPrefixes') ?? '' };
  const parsed = updateDeveloperSettingsInput.safeParse(raw);
  if (!parsed.success) {
    const state = invalidForm(parsed.error, raw, values);
    // Issues on one prefix carry its index in the path; the form has one field for all of them.
    const fieldErrors: Record<string, string> = {};
    for (const [path, message] of Object.entries(state.fieldErrors ?? {}))
      fieldErrors[path.split('.')[0] ?? path] ??= message;
    return { ...state, fieldErrors };
  }
  await updateDeveloperSettings(guard.context.db, guard.context.developerId, parsed.data);
  revalidatePath('/dashboard', 'layout');
  return {
    values: {
      saved: '1',
      appName: parsed.data.appName,
      callbackUrlPrefixes: parsed.data.callbackUrlPrefixes.join('\n'),
    },
  };
}

export async function savePassword(_state: FormState, formData: FormData): Promise<FormState> {
  const guard = await guardAction(formData);
  if (!guard.ok) return { error: guard.message };
  const raw = {
    currentPassword: text(formData, 'currentPassword'),
    newPassword: text(formData, 'newPassword'),
    confirmPassword: text(formData, 'confirmPassword'),
  };
  const parsed = changePasswordInput.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, {});
  const { db, developerId, sessionId } = guard.context;
  const result = await changePassword(db, developerId, sessionId, parsed.data);
  if (!result.ok) {
    return {
      error: 'Your current password is not right.',
      fieldErrors: { currentPassword: 'Your current password is not right.' },
    };
  }
  return { values: { done: '1' } };
}

/** The brand on the connect pages: accent (contrast-checked), theme, logo (type- and size-checked). */
export async function saveBrand(_state: FormState, formData: FormData): Promise<FormState> {
  const guard = await guardAction(formData);
  if (!guard.ok) return { error: guard.message };
  const raw = { accent_color: text(formData, 'accent_color') ?? '', theme: text(formData, 'theme') ?? '' };
  const parsed = updateBrandInput.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, raw);
  const { db, developerId } = guard.context;
  const now = currentTime();
  const logo = formData.get('logo');
  if (logo instanceof File && logo.size > 0) {
    const stored = await setLogo(db, developerId, new Uint8Array(await logo.arrayBuffer()), now);
    if (!stored.ok) return { error: stored.message, fieldErrors: { logo: stored.message }, values: raw };
  } else if (text(formData, 'removeLogo') === '1') {
    await removeLogo(db, developerId, now);
  }
  await updateBrand(db, developerId, parsed.data, now);
  revalidatePath('/dashboard/settings');
  return { values: { saved: '1', ...parsed.data } };
}
