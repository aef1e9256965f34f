'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { KeyFormState } from '@/components/dashboard/key-secret-form';
import { createApiKey, revokeApiKey, rotateApiKey } from '@/lib/developers/mutations';
import { isStorableText } from '@/lib/validation/fields';
import { text } from '../_shared/read';
import { guardAction } from '../_shared/session';

const KEY_GONE = 'This key does not exist or is already revoked. Reload the page to see the current keys.';

/** Create (the default) or rotate (`rotate=<consumer key>`): either way a secret to show once. */
export async function createOrRotateKey(_state: KeyFormState, formData: FormData): Promise<KeyFormState> {
  const guard = await guardAction(formData);
  if (!guard.ok) return { error: guard.message };
  const { db, developerId, now } = guard.context;
  const rotate = text(formData, 'rotate');
  revalidatePath('/dashboard/keys');
  if (rotate) {
    // A consumer key with a NUL cannot exist (and PostgreSQL would refuse to compare it).
    if (!isStorableText(rotate)) return { error: KEY_GONE };
    const rotated = await rotateApiKey(db, developerId, rotate, now);
    if (!rotated.ok) return { error: KEY_GONE };
    return { created: { key: rotated.credentials.key, secret: rotated.credentials.secret, replaces: rotate } };
  }
  const created = await createApiKey(db, developerId, now);
  return { created: { key: created.key, secret: created.secret } };
}

export async function revokeKey(formData: FormData): Promise<void> {
  const guard = await guardAction(formData);
  if (!guard.ok) redirect('/dashboard/keys?notice=expired');
  const { db, developerId, now } = guard.context;
  const key = text(formData, 'consumerKey') ?? '';
  if (!isStorableText(key)) redirect('/dashboard/keys?notice=gone');
  const result = await revokeApiKey(db, developerId, key, now);
  redirect(`/dashboard/keys?notice=${result.ok ? 'revoked' : 'gone'}`);
}
