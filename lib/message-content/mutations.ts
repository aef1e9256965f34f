import type { Db } from '@/lib/db/client';
import { type ContentFailure, contentServices, forget, imapFlagChange } from './content';
import type { LocatedMessage } from './data';
import { MailboxUnavailableError } from './imap';
import type { SetFlagsInput } from './schema';

/** The flags the sync keeps in our copy (spec §10: \Seen and \Flagged, when the source syncs flags). */
const SYNCED_FLAGS = new Set(['\\Seen', '\\Flagged']);

/**
 * Sets and clears flags on the mail server, then brings our copy in line with
 * what the server answers (the flags the sync keeps, and \Deleted), so the
 * read API shows the change before the next sync. Nothing is expunged.
 */
export async function changeMessageFlags(
  db: Db,
  message: LocatedMessage,
  input: SetFlagsInput,
  services = contentServices(),
): Promise<{ ok: true; flags: string[] } | ContentFailure> {
  let flags: string[] | null;
  try {
    flags = await services.reader.changeFlags(message.target, message.at, imapFlagChange(input));
  } catch (error) {
    if (error instanceof MailboxUnavailableError)
      return { ok: false, reason: 'imap_unavailable', message: error.message };
    throw error;
  }
  if (!flags) return forget(services, message);
  await db.message.updateMany({
    where: { id: message.id, sourceId: message.sourceId },
    data: {
      flags: message.syncFlags ? flags.filter((flag) => SYNCED_FLAGS.has(flag)) : [],
      isDeleted: flags.includes('\\Deleted'),
    },
  });
  return { ok: true, flags };
}
