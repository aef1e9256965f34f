'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { findOAuthProvider } from '@/lib/oauth-providers/data';
import { createOAuthProvider, deleteOAuthProvider } from '@/lib/oauth-providers/mutations';
import { createOAuthProviderInput } from '@/lib/oauth-providers/schema';
import { isStorableText } from '@/lib/validation/fields';
import { text } from '../_shared/read';
import { guardAction } from '../_shared/session';

/**
 * The dashboard's OAuth providers (spec §14), the same domain calls as
 * /2.0/oauth_providers. Plain form posts that redirect, so they work without
 * JavaScript; an error is a code in the query the page words.
 */

const LIST = '/dashboard/oauth-providers';

export async function addOAuthProvider(formData: FormData): Promise<void> {
  const guard = await guardAction(formData);
  if (!guard.ok) redirect(`${LIST}?error=expired`);
  const { db, developerId, now } = guard.context;
  const parsed = createOAuthProviderInput.safeParse({
    type: text(formData, 'type'),
    provider_consumer_key: text(formData, 'provider_consumer_key'),
    provider_consumer_secret: text(formData, 'provider_consumer_secret'),
  });
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]?.path[0] ?? 'type');
    redirect(`${LIST}?error=invalid&field=${encodeURIComponent(field)}`);
  }
  const created = await createOAuthProvider(db, developerId, parsed.data, now);
  revalidatePath(LIST);
  if (!created.ok) redirect(`${LIST}?error=exists`);
  redirect(`${LIST}/${encodeURIComponent(created.consumerKey)}?notice=added`);
}

export async function removeOAuthProvider(formData: FormData): Promise<void> {
  const guard = await guardAction(formData);
  if (!guard.ok) redirect(`${LIST}?error=expired`);
  const { db, developerId } = guard.context;
  const key = text(formData, 'consumerKey') ?? '';
  const row = isStorableText(key) ? await findOAuthProvider(db, developerId, key) : null;
  const deleted = row ? await deleteOAuthProvider(db, row) : false;
  revalidatePath(LIST);
  redirect(`${LIST}?${deleted ? 'notice=deleted' : 'error=gone'}`);
}
