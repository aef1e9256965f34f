import type { z } from 'zod';
import { symbolicNameOf } from '@/lib/mailbox-sync/rules';
import type { messageFolderJson } from './schema';

/** A folder holding the message, named as the source's folder list names it (spec §16). */
export function serializeMessageFolder(folder: { name: string; specialUse: string; delimiter: string }) {
  const symbolic = symbolicNameOf({ path: folder.name, delimiter: folder.delimiter, specialUse: folder.specialUse });
  return {
    name: folder.name,
    symbolic_name: folder.specialUse || (symbolic ? `\\${symbolic}` : ''),
  } satisfies z.input<typeof messageFolderJson>;
}
