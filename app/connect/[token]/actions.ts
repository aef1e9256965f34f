'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { currentTime } from '@/lib/clock';
import { loadConnectPage } from '@/lib/connect-flow/data';
import { defaultConnectFlowDeps } from '@/lib/connect-flow/deps';
import { saveIdentity, setFlowError, signIn } from '@/lib/connect-flow/mutations';
import { fieldErrorOf, identityInput, signInInput } from '@/lib/connect-flow/schema';
import { getDb } from '@/lib/db/client';
import { clientAddressFrom } from '@/lib/http/client-address';
import { isValidCsrfToken } from '@/lib/http/csrf';

/**
 * Server actions of the connect pages. Each one reads the token once,
 * validates, calls the domain, then redirects (303 for plain form posts), so
 * every step works without JavaScript and a reload never re-submits. Errors are
 * stored on the flow (a FlowError) and shown by the next render.
 */

const pageUrl = (token: string) => `/connect/${token}`;
const text = (formData: FormData, name: string) => {
  const value = formData.get(name);
  return typeof value === 'string' ? value : undefined;
};

async function activeRow(token: string, formData: FormData) {
  const db = await getDb();
  const now = currentTime();
  const state = await loadConnectPage(db, token, now);
  if (state.kind !== 'active') redirect(pageUrl(token));
  if (!isValidCsrfToken(token, formData.get('csrf'))) {
    await setFlowError(db, token, { kind: 'code', code: 'csrf' });
    redirect(pageUrl(token));
  }
  return { db, now, row: state.row };
}

export async function submitIdentity(token: string, formData: FormData): Promise<void> {
  const { db, now, row } = await activeRow(token, formData);
  const domainOnly = row.email.startsWith('@') ? row.email : '';
  const email = domainOnly ? `${(text(formData, 'localPart') ?? '').trim()}${domainOnly}` : text(formData, 'email');
  const parsed = identityInput.safeParse({
    email,
    firstName: text(formData, 'firstName'),
    lastName: text(formData, 'lastName'),
  });
  if (!parsed.success) {
    await setFlowError(db, token, fieldErrorOf(parsed.error.issues, 'email'));
    redirect(`${pageUrl(token)}?edit=who`);
  }
  // A refused address (identity pinning) is stored on the flow; the page shows it.
  await saveIdentity(db, row, parsed.data, defaultConnectFlowDeps(), now);
  redirect(pageUrl(token));
}

export async function submitSignIn(token: string, formData: FormData): Promise<void> {
  const { db, now, row } = await activeRow(token, formData);
  const parsed = signInInput.safeParse({
    password: text(formData, 'password') ?? '',
    server: text(formData, 'server') ?? '',
    port: text(formData, 'port') ?? '',
    tlsMode: text(formData, 'tlsMode') ?? '',
    username: text(formData, 'username') ?? '',
  });
  if (!parsed.success) {
    await setFlowError(db, token, fieldErrorOf(parsed.error.issues, 'password'));
    redirect(pageUrl(token));
  }
  // signIn stores its own failures on the flow; the page shows them.
  const result = await signIn(db, row, parsed.data, clientAddressFrom(await headers()), defaultConnectFlowDeps(), now);
  redirect(result.ok ? result.redirectUrl : pageUrl(token));
}
