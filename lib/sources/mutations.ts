import { encryptSecret } from '@/lib/crypto/secrets';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { newRowId } from '@/lib/ids';
import { findSource, sourceOrder } from './data';
import type { MailboxSettings, UpdateSourceInput } from './schema';

/** `localpart::provider` for known providers (`jane::gmail`), else `username::server` (spec §9). */
export function sourceLabelFor(mailbox: Pick<MailboxSettings, 'email' | 'username' | 'server' | 'provider'>): string {
  const label = mailbox.provider
    ? `${mailbox.email.split('@')[0]}::${mailbox.provider}`
    : `${mailbox.username}::${mailbox.server}`;
  return label.toLowerCase();
}

/** Options a token passes on to the source it creates. */
export interface SourceOptions {
  callbackUrl: string;
  statusCallbackUrl: string;
  syncAllFolders: boolean;
  syncFolders: string;
  syncFlags: boolean;
  rawFileList: boolean;
  expungeOnDeletedFlag: boolean;
}

/**
 * Inserts a source inside the caller's transaction. Labels are unique per
 * account: a clash (same local part on two servers of one provider) gets a suffix.
 */
export async function insertSource(
  tx: Prisma.TransactionClient,
  accountId: string,
  mailbox: MailboxSettings,
  options: SourceOptions,
): Promise<{ id: string; label: string }> {
  const baseLabel = sourceLabelFor(mailbox);
  const taken = new Set(
    (await tx.source.findMany({ where: { accountId, label: { startsWith: baseLabel } }, select: { label: true } })).map(
      (row) => row.label,
    ),
  );
  let label = baseLabel;
  for (let suffix = 2; taken.has(label); suffix++) label = `${baseLabel}-${suffix}`;
  const id = newRowId();
  await tx.source.create({
    data: {
      id,
      accountId,
      label,
      email: mailbox.email.toLowerCase(),
      server: mailbox.server.toLowerCase(),
      port: mailbox.port,
      tlsMode: mailbox.tlsMode,
      username: mailbox.username,
      authenticationType: mailbox.authenticationType,
      credentialCiphertext: encryptSecret(mailbox.secret),
      ...options,
    },
  });
  return { id, label };
}

export type UpdateSourceResult = { ok: true } | { ok: false; reason: 'not_found' | 'status_check_unavailable' };

/** POST /2.0/accounts/:id/sources/:label. */
export async function updateSource(
  db: Db,
  developerId: string,
  accountId: string,
  label: string,
  input: UpdateSourceInput,
): Promise<UpdateSourceResult> {
  const source = await findSource(db, developerId, accountId, label);
  if (!source) return { ok: false, reason: 'not_found' };
  // A live IMAP login needs the connect flow's checker, which does not exist yet.
  if (input.force_status_check) return { ok: false, reason: 'status_check_unavailable' };
  const data: Prisma.SourceUpdateInput = {};
  if (input.status === true) Object.assign(data, { status: 'OK', statusMessage: '' });
  if (input.password !== undefined) {
    Object.assign(data, { credentialCiphertext: encryptSecret(input.password), authenticationType: 'password' });
  }
  if (input.sync_all_folders !== undefined) data.syncAllFolders = input.sync_all_folders;
  if (input.expunge_on_deleted_flag !== undefined) data.expungeOnDeletedFlag = input.expunge_on_deleted_flag;
  if (input.status_callback_url !== undefined) data.statusCallbackUrl = input.status_callback_url;
  if (Object.keys(data).length > 0) await db.source.update({ where: { id: source.id }, data });
  return { ok: true };
}

/** Deletes the source and drops its address from the account unless another source has it. */
export async function deleteSource(db: Db, developerId: string, accountId: string, label: string): Promise<boolean> {
  const source = await findSource(db, developerId, accountId, label);
  if (!source) return false;
  return db.$transaction(async (tx) => {
    const { count } = await tx.source.deleteMany({ where: { id: source.id } });
    if (count === 0) return false;
    await refreshAccountEmailAddresses(tx, accountId);
    return true;
  });
}

/** The account's `email_addresses` are its sources' addresses, oldest first. */
export async function refreshAccountEmailAddresses(tx: Prisma.TransactionClient, accountId: string): Promise<void> {
  const sources = await tx.source.findMany({ where: { accountId }, orderBy: sourceOrder, select: { email: true } });
  await tx.account.update({
    where: { id: accountId },
    data: { emailAddresses: [...new Set(sources.map((row) => row.email))] },
  });
}
