'use server';

import { redirect } from 'next/navigation';
import type { FormState } from '@/components/dashboard/fields';
import { findAccount } from '@/lib/accounts/data';
import { accountIdParam } from '@/lib/accounts/schema';
import { privateCallbackUrlMessage } from '@/lib/callbacks/schema';
import type { ConnectTokenScope } from '@/lib/connect-tokens/data';
import { createConnectToken, deleteUnusedConnectToken } from '@/lib/connect-tokens/mutations';
import { createConnectTokenInput, createReconnectTokenInput } from '@/lib/connect-tokens/schema';
import type { Db } from '@/lib/db/client';
import { disallowedCallbackUrlMessage } from '@/lib/developers/schema';
import { getConfig } from '@/lib/env';
import { isConnectToken } from '@/lib/ids';
import { findSource } from '@/lib/sources/data';
import { sourceLabelParam } from '@/lib/sources/schema';
import { formValues, invalidForm } from '../_shared/forms';
import { text } from '../_shared/read';
import { guardAction } from '../_shared/session';

/** The form's account and source, looked up once as the developer's own: the token's scope, or what is missing. */
async function scopeFrom(db: Db, developerId: string, formData: FormData): Promise<ConnectTokenScope | string> {
  const accountId = text(formData, 'account');
  if (!accountId) return { level: 'top' };
  const account = accountIdParam.safeParse(accountId).success ? await findAccount(db, developerId, accountId) : null;
  if (!account) return 'This account does not exist.';
  const label = text(formData, 'source');
  if (!label) return { level: 'account', account };
  // A label with control characters cannot exist (and PostgreSQL would refuse to compare it).
  const source = sourceLabelParam.safeParse(label).success
    ? await findSource(db, developerId, account.id, label)
    : null;
  return source ? { level: 'source', source } : 'This source does not exist.';
}

/** The dashboard's POST /2.0/connect_tokens at any level: same schema, same domain function, same messages. */
export async function createToken(_state: FormState, formData: FormData): Promise<FormState> {
  const guard = await guardAction(formData);
  if (!guard.ok) return { error: guard.message };
  const { db, developerId, now } = guard.context;
  const values = formValues(formData);
  const isReconnect = Boolean(text(formData, 'account') && text(formData, 'source'));
  const raw = Object.fromEntries(Object.entries(values).filter(([name]) => name !== 'account' && name !== 'source'));
  const schema = isReconnect ? createReconnectTokenInput : createConnectTokenInput;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) return invalidForm(parsed.error, raw, values, 'api');
  const scope = await scopeFrom(db, developerId, formData);
  if (typeof scope === 'string') return { error: scope, values };
  const created = await createConnectToken(db, developerId, scope, parsed.data, now, {
    allowPrivateHosts: getConfig().allowPrivateHosts,
  });
  if (!created.ok) {
    const message =
      created.reason === 'callback_url_private'
        ? privateCallbackUrlMessage(created.field, created.host)
        : disallowedCallbackUrlMessage(created.field, created.prefixes);
    return { error: message, fieldErrors: { [created.field]: message }, values };
  }
  redirect(`/dashboard/tokens/${created.token}?created=1`);
}

export async function deleteToken(formData: FormData): Promise<void> {
  const guard = await guardAction(formData);
  const token = text(formData, 'token') ?? '';
  if (!guard.ok) redirect(`/dashboard/tokens/${encodeURIComponent(token)}?notice=expired`);
  const { db, developerId, now } = guard.context;
  if (!isConnectToken(token)) redirect('/dashboard/tokens');
  const result = await deleteUnusedConnectToken(db, developerId, token, now);
  if (result.ok) redirect('/dashboard/tokens?notice=deleted');
  redirect(`/dashboard/tokens/${encodeURIComponent(token)}?notice=${result.reason}`);
}
