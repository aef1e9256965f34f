'use server';

import { redirect } from 'next/navigation';
import type { FormState } from '@/components/dashboard/fields';
import { accountIdParam } from '@/lib/accounts/schema';
import type { ConnectTokenScope } from '@/lib/connect-tokens/data';
import { createConnectToken, deleteUnusedConnectToken } from '@/lib/connect-tokens/mutations';
import { connectTokenParam, createConnectTokenInput, createReconnectTokenInput } from '@/lib/connect-tokens/schema';
import { disallowedCallbackUrlMessage } from '@/lib/developers/schema';
import { sourceLabelParam } from '@/lib/sources/schema';
import { formValues, invalidForm } from '../_shared/forms';
import { text } from '../_shared/read';
import { guardAction } from '../_shared/session';

function scopeFrom(formData: FormData): ConnectTokenScope | null {
  const account = text(formData, 'account');
  if (!account) return { level: 'top' };
  if (!accountIdParam.safeParse(account).success) return null;
  const source = text(formData, 'source');
  if (source && !sourceLabelParam.safeParse(source).success) return null;
  return source
    ? { level: 'source', accountId: account, sourceLabel: source }
    : { level: 'account', accountId: account };
}

/** The dashboard's POST /2.0/connect_tokens at any level: same schema, same domain function, same messages. */
export async function createToken(_state: FormState, formData: FormData): Promise<FormState> {
  const guard = await guardAction(formData);
  if (!guard.ok) return { error: guard.message };
  const { db, developerId, now } = guard.context;
  const values = formValues(formData);
  const scope = scopeFrom(formData);
  if (!scope) return { error: 'This account does not exist.', values };
  const raw = Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'account' && name !== 'source'));
  const schema = scope.level === 'source' ? createReconnectTokenInput : createConnectTokenInput;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, values, 'api');
  const created = await createConnectToken(db, developerId, scope, parsed.data, now);
  if (!created.ok) {
    if (created.reason === 'callback_url_not_allowed') {
      const message = disallowedCallbackUrlMessage(created.field, created.prefixes);
      return { error: message, fieldErrors: { [created.field]: message }, values };
    }
    return {
      error: created.reason === 'source_not_found' ? 'This source does not exist.' : 'This account does not exist.',
      values,
    };
  }
  redirect(`/dashboard/tokens/${created.token}?created=1`);
}

export async function deleteToken(formData: FormData): Promise<void> {
  const guard = await guardAction(formData);
  const token = text(formData, 'token') ?? '';
  if (!guard.ok) redirect(`/dashboard/tokens/${encodeURIComponent(token)}?notice=expired`);
  const { db, developerId, now } = guard.context;
  if (!connectTokenParam.safeParse(token).success) redirect('/dashboard/tokens');
  const result = await deleteUnusedConnectToken(db, developerId, token, now);
  if (result.ok) redirect('/dashboard/tokens?notice=deleted');
  redirect(`/dashboard/tokens/${encodeURIComponent(token)}?notice=${result.reason}`);
}
