import { createHash } from 'node:crypto';
import type { MessageStructureObject } from 'imapflow';
import type { RemoteFolder } from './imap';

/**
 * The source options as pure rules (spec §5): which folders are synced, which
 * parts are listed as files, which thread a message belongs to. No I/O here.
 */

/** Context.IO's names for special folders, as `source_sync_folders` uses them. */
export type SymbolicName = 'Inbox' | 'All' | 'Trash' | 'Drafts' | 'Junk' | 'Sent' | 'Archive' | 'Flagged';

const BY_SPECIAL_USE: Record<string, SymbolicName> = {
  '\\All': 'All',
  '\\Trash': 'Trash',
  '\\Drafts': 'Drafts',
  '\\Junk': 'Junk',
  '\\Sent': 'Sent',
  '\\Archive': 'Archive',
  '\\Flagged': 'Flagged',
};

// Well-known names, for servers without special-use flags (compared lower-case, leaf name only).
const BY_NAME: Record<string, SymbolicName> = {
  inbox: 'Inbox',
  'all mail': 'All',
  trash: 'Trash',
  bin: 'Trash',
  deleted: 'Trash',
  'deleted items': 'Trash',
  'deleted messages': 'Trash',
  drafts: 'Drafts',
  draft: 'Drafts',
  junk: 'Junk',
  'junk e-mail': 'Junk',
  'junk email': 'Junk',
  spam: 'Junk',
  'bulk mail': 'Junk',
  sent: 'Sent',
  'sent items': 'Sent',
  'sent mail': 'Sent',
  'sent messages': 'Sent',
  archive: 'Archive',
};

/** Skipped unless `source_sync_all_folders=1` or named in `source_sync_folders`. */
const SKIPPED_BY_DEFAULT = new Set<SymbolicName>(['All', 'Trash', 'Drafts', 'Junk']);
// Alternative spellings a developer may use in source_sync_folders.
const ALIASES: Record<string, SymbolicName> = { spam: 'Junk', deleted: 'Trash', allmail: 'All', 'all mail': 'All' };

export function symbolicNameOf(folder: Pick<RemoteFolder, 'path' | 'delimiter' | 'specialUse'>): SymbolicName | null {
  if (folder.path.toUpperCase() === 'INBOX') return 'Inbox';
  const bySpecialUse = BY_SPECIAL_USE[folder.specialUse];
  if (bySpecialUse) return bySpecialUse;
  const leaf = folder.delimiter ? (folder.path.split(folder.delimiter).at(-1) ?? folder.path) : folder.path;
  return BY_NAME[leaf.toLowerCase()] ?? null;
}

export interface FolderOptions {
  syncAllFolders: boolean;
  /** `source_sync_folders`: comma list of special folders to keep anyway. */
  syncFolders: string;
}

export interface FolderPlan {
  path: string;
  delimiter: string;
  attributes: string[];
  specialUse: string;
  symbolicName: SymbolicName | null;
  includedInSync: boolean;
}

/**
 * Decides every folder: special folders (special-use flag first, well-known
 * name second) and the folders nested in them are skipped by default;
 * `\Noselect` folders hold no messages and are never synced.
 */
export function planFolders(folders: RemoteFolder[], options: FolderOptions): FolderPlan[] {
  const wanted = new Set(
    options.syncFolders
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean)
      .map((name) => (ALIASES[name] ?? name).toLowerCase()),
  );
  const symbolic = new Map(folders.map((folder) => [folder.path, symbolicNameOf(folder)]));
  const skippedKind = (folder: RemoteFolder): boolean => {
    const own = symbolic.get(folder.path) ?? null;
    if (own && SKIPPED_BY_DEFAULT.has(own)) {
      return !wanted.has(own.toLowerCase()) && !wanted.has(folder.path.toLowerCase());
    }
    // A folder inside Trash (Trash/Old) goes with its parent.
    const parents = folders.filter(
      (other) => other.path !== folder.path && folder.path.startsWith(`${other.path}${other.delimiter}`),
    );
    return parents.some((parent) => skippedKind(parent));
  };
  return folders.map((folder) => {
    const noSelect = folder.flags.some((flag) => flag.toLowerCase() === '\\noselect');
    return {
      path: folder.path,
      delimiter: folder.delimiter,
      attributes: folder.flags,
      specialUse: folder.specialUse,
      symbolicName: symbolic.get(folder.path) ?? null,
      includedInSync: !noSelect && (options.syncAllFolders || !skippedKind(folder)),
    };
  });
}

export interface FilePlan {
  fileName: string;
  contentType: string;
  size: number;
  isEmbedded: boolean;
  bodyPart: string;
}

/** Inline images below this decoded size are signatures, logos and spacers, not files. */
export const SMALL_INLINE_IMAGE_BYTES = 32 * 1024;
// Containers of Outlook's rich text, not something the user attached.
const WINMAIL_TYPES = new Set(['application/ms-tnef', 'application/vnd.ms-tnef']);

/** Base64 carries 57 bytes in every 78-byte line (76 characters + CRLF). */
function decodedSize(part: MessageStructureObject): number {
  const size = part.size ?? 0;
  return part.encoding?.toLowerCase() === 'base64' ? Math.floor((size * 57) / 78) : size;
}

/**
 * The attachments of a message from its BODYSTRUCTURE. By default signature
 * images (small inline images) and winmail.dat are left out; `rawFileList`
 * lists every part that is a file.
 */
export function planFiles(structure: MessageStructureObject | null, options: { rawFileList: boolean }): FilePlan[] {
  const files: FilePlan[] = [];
  const visit = (part: MessageStructureObject, isRoot: boolean) => {
    if (part.childNodes?.length) {
      for (const child of part.childNodes) visit(child, false);
      return;
    }
    const type = (part.type ?? 'application/octet-stream').toLowerCase();
    const disposition = part.disposition?.toLowerCase() ?? '';
    const fileName = part.dispositionParameters?.filename ?? part.parameters?.name ?? '';
    const isText = type === 'text/plain' || type === 'text/html';
    const isBody = !disposition && !fileName && (isText || isRoot);
    const isFile =
      disposition === 'attachment' || (!!fileName && !isBody) || (type.startsWith('image/') && !!part.id && !isRoot);
    if (!isFile || isBody) return;
    const isEmbedded = disposition !== 'attachment' && (disposition === 'inline' || !!part.id);
    const size = decodedSize(part);
    const plan: FilePlan = {
      fileName: fileName || (part.id ? part.id.replace(/^<|>$/g, '') : `part-${part.part ?? '1'}`),
      contentType: type,
      size,
      isEmbedded,
      bodyPart: part.part ?? '1',
    };
    if (!options.rawFileList) {
      if (isEmbedded && type.startsWith('image/') && size < SMALL_INLINE_IMAGE_BYTES) return;
      if (WINMAIL_TYPES.has(type) || plan.fileName.toLowerCase() === 'winmail.dat') return;
    }
    files.push(plan);
  };
  if (structure) visit(structure, true);
  return files;
}

/** Message-IDs in a References header, oldest first. */
export function parseReferences(header: string): string[] {
  const value = header.replace(/^references:/i, '');
  return [...value.matchAll(/<[^<>\s]+>/g)].map((match) => match[0]);
}

/**
 * A thread is named by its first message: the oldest entry of References, else
 * In-Reply-To, else the message's own Message-ID. Scoped to the account so ids
 * never link two developers' data.
 */
export function threadIdFor(
  accountId: string,
  message: { references: string[]; inReplyTo: string; messageId: string; fallback: string },
): string {
  const root = message.references[0] || message.inReplyTo.trim() || message.messageId.trim() || message.fallback;
  return createHash('sha256').update(`${accountId}\n${root}`).digest('hex').slice(0, 16);
}

/**
 * The flags a message row keeps: \Seen and \Flagged only when the source syncs
 * flags (source_sync_flags), and whether it is \Deleted whatever the options
 * (expunge_on_deleted_flag hides those at read time). The import and the live
 * sync's flag updates share it so the two cannot disagree.
 */
export function storedFlagsOf(flags: string[], options: { syncFlags: boolean }) {
  return {
    flags: options.syncFlags ? flags.filter((flag) => flag === '\\Seen' || flag === '\\Flagged') : [],
    isDeleted: flags.includes('\\Deleted'),
  };
}
