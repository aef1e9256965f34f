import { describe, expect, it } from 'vitest';
import {
  parseReferences,
  planFiles,
  planFolders,
  SMALL_INLINE_IMAGE_BYTES,
  symbolicNameOf,
  threadIdFor,
} from './rules';

const folder = (path: string, specialUse = '', flags: string[] = []) => ({ path, delimiter: '/', flags, specialUse });

describe('planFolders', () => {
  const folders = [
    folder('INBOX'),
    folder('Papierkorb', '\\Trash'),
    folder('Deleted Items'),
    folder('Deleted Items/2019'),
    folder('[Gmail]', '', ['\\Noselect']),
    folder('[Gmail]/All Mail', '\\All'),
    folder('[Gmail]/Spam'),
    folder('Work'),
  ];
  const included = (options: { syncAllFolders: boolean; syncFolders: string }) =>
    planFolders(folders, options)
      .filter((plan) => plan.includedInSync)
      .map((plan) => plan.path);

  it('skips special folders by special-use flag first, by well-known name second, and their subfolders', () => {
    expect(included({ syncAllFolders: false, syncFolders: '' })).toEqual(['INBOX', 'Work']);
  });
  it('keeps every selectable folder with sync_all_folders', () => {
    expect(included({ syncAllFolders: true, syncFolders: '' })).toEqual(
      folders.filter((entry) => entry.path !== '[Gmail]').map((entry) => entry.path),
    );
  });
  it('keeps the special folders named in sync_folders (symbolic names, aliases or full names)', () => {
    expect(included({ syncAllFolders: false, syncFolders: 'All, spam' })).toEqual([
      'INBOX',
      '[Gmail]/All Mail',
      '[Gmail]/Spam',
      'Work',
    ]);
    expect(included({ syncAllFolders: false, syncFolders: 'Deleted Items' })).toEqual([
      'INBOX',
      'Deleted Items',
      'Deleted Items/2019',
      'Work',
    ]);
  });
  it('names folders as Context.IO did', () => {
    expect(symbolicNameOf(folder('Papierkorb', '\\Trash'))).toBe('Trash');
    expect(symbolicNameOf(folder('Junk E-mail'))).toBe('Junk');
    expect(symbolicNameOf(folder('inbox'))).toBe('Inbox');
    expect(symbolicNameOf(folder('Work'))).toBeNull();
  });
});

describe('planFiles', () => {
  const structure = {
    type: 'multipart/mixed',
    childNodes: [
      { part: '1', type: 'text/plain', size: 10 },
      {
        part: '2',
        type: 'application/pdf',
        disposition: 'attachment',
        dispositionParameters: { filename: 'a.pdf' },
        encoding: 'base64',
        size: 78_000,
      },
      {
        part: '3',
        type: 'image/png',
        disposition: 'inline',
        id: '<sig>',
        parameters: { name: 'sig.png' },
        encoding: 'base64',
        size: 2_000,
      },
      {
        part: '4',
        type: 'image/jpeg',
        id: '<photo>',
        encoding: 'base64',
        size: (SMALL_INLINE_IMAGE_BYTES * 78) / 57 + 780,
      },
      {
        part: '5',
        type: 'application/ms-tnef',
        disposition: 'attachment',
        dispositionParameters: { filename: 'winmail.dat' },
        size: 500,
      },
    ],
  };
  it('lists attachments, leaves out small inline images and winmail.dat, and estimates decoded sizes', () => {
    const files = planFiles(structure as never, { rawFileList: false });
    expect(files.map((file) => [file.fileName, file.isEmbedded, file.bodyPart])).toEqual([
      ['a.pdf', false, '2'],
      ['photo', true, '4'],
    ]);
    expect(files[0]?.size).toBe(57_000);
  });
  it('lists every file part with raw_file_list', () => {
    expect(planFiles(structure as never, { rawFileList: true }).map((file) => file.fileName)).toEqual([
      'a.pdf',
      'sig.png',
      'photo',
      'winmail.dat',
    ]);
  });
  it('never lists a single-part text body', () => {
    expect(planFiles({ type: 'text/plain', size: 5 } as never, { rawFileList: true })).toEqual([]);
  });
});

describe('threads', () => {
  it('groups a reply with its first message, per account', () => {
    const first = threadIdFor('a', { references: [], inReplyTo: '', messageId: '<1@x>', fallback: 'r1' });
    const reply = threadIdFor('a', {
      references: parseReferences('References: <1@x>\r\n <2@x>'),
      inReplyTo: '<2@x>',
      messageId: '<3@x>',
      fallback: 'r3',
    });
    expect(reply).toBe(first);
    expect(threadIdFor('b', { references: [], inReplyTo: '', messageId: '<1@x>', fallback: 'r1' })).not.toBe(first);
    expect(parseReferences('References: <1@x> <2@x>')).toEqual(['<1@x>', '<2@x>']);
  });
});
