import { describe, expect, it } from 'vitest';
import { createConnectTokenInput } from '@/lib/connect-tokens/schema';
import { findUnstorableField, isStorableText, optionalText, storableString } from './fields';

describe('storable text', () => {
  it('refuses C0 and C1 control characters, DEL and unpaired surrogates, and keeps everything else', () => {
    for (const bad of [
      'a\u0000b',
      '\u0007',
      'tab\there',
      'line\nbreak',
      '\r',
      '\u007f',
      '\u0085',
      '\u009f',
      'a\ud800',
      '\udc00b',
    ]) {
      expect(isStorableText(bad), JSON.stringify(bad)).toBe(false);
    }
    for (const good of ['', 'Jane Doe', 'Zoë 😀 日本', '\u00a0non-breaking', 'INBOX/Ünïcode']) {
      expect(isStorableText(good), JSON.stringify(good)).toBe(true);
    }
  });

  it('refuses before trimming, so a trailing newline is not silently dropped', () => {
    expect(optionalText(100).safeParse(' Jane\n').success).toBe(false);
    expect(optionalText(100).safeParse(' Jane ').data).toBe('Jane');
    expect(storableString({ message: 'Remove them.' }).safeParse('a\u0000').error?.issues).toEqual([
      expect.objectContaining({ message: 'Remove them.' }),
    ]);
  });

  it('finds the first unstorable parameter, name or value', () => {
    expect(findUnstorableField({ a: 'ok', b: 'x\u0000', c: '\u0007' })).toBe('b');
    expect(findUnstorableField({ 'n\u0000': 'ok' })).toBe('n\u0000');
    expect(findUnstorableField({ a: 'ok', n: 5 })).toBeNull();
  });

  it('covers the shared schemas: names, folders and callback URLs', () => {
    const base = { callback_url: 'https://p.example.com/cb' };
    for (const field of ['first_name', 'last_name', 'source_sync_folders', 'email']) {
      const parsed = createConnectTokenInput.safeParse({ ...base, [field]: 'a\u0000b' });
      expect(parsed.success, field).toBe(false);
    }
    expect(createConnectTokenInput.safeParse({ callback_url: 'https://p.example.com/\ud800' }).success).toBe(false);
  });
});
