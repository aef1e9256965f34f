import type { z } from 'zod';
import { accountResourceUrl, serializeAccount } from '@/lib/accounts/serialize';
import { unixSeconds } from '@/lib/clock';
import type { connectTokenJson } from '@/lib/connect-tokens/schema';
import type { ConnectTokenRow } from './data';

/** The token's own address: under the account or source it was created for. */
export function connectTokenResourceUrl(
  baseUrl: string,
  token: Pick<ConnectTokenRow, 'id' | 'targetAccountId' | 'targetSource'>,
): string {
  if (!token.targetAccountId) return `${baseUrl}/2.0/connect_tokens/${token.id}`;
  const account = accountResourceUrl(baseUrl, token.targetAccountId);
  if (token.targetSource) {
    return `${account}/sources/${encodeURIComponent(token.targetSource.label)}/connect_tokens/${token.id}`;
  }
  return `${account}/connect_tokens/${token.id}`;
}

export const browserRedirectUrl = (baseUrl: string, token: string) => `${baseUrl}/connect/${token}`;

/** Adds `contextio_token` (and any extra parameters) to the partner's URL, keeping its own query. */
export function partnerReturnUrl(callbackUrl: string, token: string, extra: Record<string, string> = {}): string {
  const url = new URL(callbackUrl);
  url.searchParams.set('contextio_token', token);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return url.toString();
}

/** A connect token in Context.IO 2.0's shape (spec §5). */
export function serializeConnectToken(token: ConnectTokenRow, baseUrl: string) {
  return {
    token: token.id,
    email: token.email,
    created: unixSeconds(token.createdAt),
    used: unixSeconds(token.usedAt),
    expires: token.usedAt ? false : unixSeconds(token.expiresAt),
    callback_url: token.callbackUrl,
    first_name: token.firstName,
    last_name: token.lastName,
    // "If the connect_token hasn't been used yet, this object will be empty."
    account: token.usedAt && token.account ? serializeAccount(token.account, baseUrl) : {},
    server_label: token.source?.label ?? '',
    source_callback_url: token.sourceCallbackUrl,
    status_callback_url: token.statusCallbackUrl,
    source_sync_all_folders: token.sourceSyncAllFolders,
    source_sync_folders: token.sourceSyncFolders,
    source_sync_flags: token.sourceSyncFlags,
    source_raw_file_list: token.sourceRawFileList,
    source_expunge_on_deleted_flag: token.sourceExpungeOnDeletedFlag,
    resource_url: connectTokenResourceUrl(baseUrl, token),
    browser_redirect_url: browserRedirectUrl(baseUrl, token.id),
    locale: token.locale,
    mode: token.mode,
    redirect_on_error: token.redirectOnError,
  } satisfies z.input<typeof connectTokenJson>;
}
