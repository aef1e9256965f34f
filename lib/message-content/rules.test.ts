import { describe, expect, it } from 'vitest';
import { contentDisposition } from '@/lib/http/respond';
import { parseMessageRef } from '@/lib/messages/schema';
import { parseThreadRef } from '@/lib/threads/schema';
import { createContentCache } from './cache';
import { flagsJsonOf, imapFlagChange, textPartsOf } from './content';
import { includeHeadersField, setFlagsInput } from './schema';

/** The pure rules of message content: id forms, the cache's bounds, flags, text parts, headers of downloads. */

describe('message and thread ids', () => {
  it.each([
    ['5727aa2a0be9af5d658b4568', { kind: 'id', id: '5727aa2a0be9af5d658b4568' }],
    ['<a.b@example.org>', { kind: 'email_message_id', emailMessageId: '<a.b@example.org>' }],
    ['a.b@example.org', { kind: 'email_message_id', emailMessageId: '<a.b@example.org>' }],
    ['%3Ca.b%40example.org%3E', { kind: 'email_message_id', emailMessageId: '<a.b@example.org>' }],
    ['gm-1278455344230334865', { kind: 'gmail_message_id', gmailMessageId: '1278455344230334865' }],
  ])('reads %s', (raw, expected) => {
    expect(parseMessageRef(raw)).toEqual(expected);
  });
  it.each(['', 'not-an-id', '<no-at-sign>', 'gm-abc', '%E0%A4%A', '5727AA2A0BE9AF5D658B4568x'])('refuses %j', (raw) => {
    expect(parseMessageRef(raw)).toBeNull();
  });
  it('reads thread ids, ours and Gmail’s', () => {
    expect(parseThreadRef('0123456789abcdef')).toEqual({ kind: 'id', threadId: '0123456789abcdef' });
    expect(parseThreadRef('gm-42')).toEqual({ kind: 'gmail_thread_id', gmailThreadId: '42' });
    expect(parseThreadRef('0123')).toBeNull();
  });
});

describe('content cache', () => {
  it('drops the least recently used entry once full, and expired entries', () => {
    let now = 0;
    const cache = createContentCache({ maxBytes: 400, maxAgeMs: 100, now: () => now });
    cache.set('a', 'A', 100);
    cache.set('b', 'B', 100);
    cache.set('c', 'C', 100);
    expect(cache.get('a')).toBe('A'); // a is now the most recent
    cache.set('d', 'D', 100);
    cache.set('e', 'E', 100); // over 400: b goes first
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe('A');
    expect(cache.bytes).toBeLessThanOrEqual(400);
    now = 101;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBeLessThanOrEqual(300);
  });
  it('keeps nothing when off, and no entry above a quarter of its size', () => {
    const off = createContentCache({ maxBytes: 0, maxAgeMs: 1000 });
    off.set('a', 'A', 1);
    expect(off.get('a')).toBeUndefined();
    const small = createContentCache({ maxBytes: 400, maxAgeMs: 1000 });
    small.set('big', 'B', 101);
    expect(small.get('big')).toBeUndefined();
  });
});

describe('flags', () => {
  it('maps IMAP flags to Context.IO booleans and back', () => {
    expect(flagsJsonOf(['\\Seen', '\\Draft', '$Label1'])).toEqual({
      seen: true,
      answered: false,
      flagged: false,
      deleted: false,
      draft: true,
    });
    expect(imapFlagChange({ seen: true, deleted: false })).toEqual({ add: ['\\Seen'], remove: ['\\Deleted'] });
  });
  it('needs at least one flag, as 0/1', () => {
    expect(setFlagsInput.safeParse({}).success).toBe(false);
    expect(setFlagsInput.safeParse({ seen: '1', body: '' }).data).toEqual({ seen: true });
    expect(setFlagsInput.safeParse({ flagged: 'yes' }).success).toBe(false);
  });
  it('reads include_headers as 0, 1 or raw', () => {
    expect(includeHeadersField.parse('raw')).toBe('raw');
    expect(includeHeadersField.parse('1')).toBe('parsed');
    expect(includeHeadersField.parse('0')).toBeUndefined();
    expect(includeHeadersField.safeParse('2').success).toBe(false);
  });
});

describe('text parts', () => {
  it('takes the body text, not attachments or an attached message’s text', () => {
    const parts = textPartsOf({
      type: 'multipart/mixed',
      childNodes: [
        {
          part: '1',
          type: 'multipart/alternative',
          childNodes: [
            { part: '1.1', type: 'text/plain', parameters: { charset: 'UTF-8' }, size: 10 },
            { part: '1.2', type: 'text/html', size: 20 },
          ],
        },
        { part: '2', type: 'text/plain', disposition: 'attachment', dispositionParameters: { filename: 'a.txt' } },
        { part: '3', type: 'message/rfc822', childNodes: [{ part: '3.1', type: 'text/plain' }] },
      ],
    } as never);
    expect(parts.map((part) => [part.section, part.mimeSection, part.type, part.charset])).toEqual([
      ['1.1', '1.1.mime', 'text/plain', 'UTF-8'],
      ['1.2', '1.2.mime', 'text/html', 'us-ascii'],
    ]);
    expect(textPartsOf({ type: 'text/plain', size: 5 } as never)[0]).toMatchObject({
      section: 'text',
      mimeSection: 'header',
    });
  });
});

describe('downloads', () => {
  it('names the file in ASCII and in UTF-8, never breaking the header', () => {
    expect(contentDisposition('Bericht "Q1".pdf')).toBe(
      `attachment; filename="Bericht _Q1_.pdf"; filename*=UTF-8''Bericht%20%22Q1%22.pdf`,
    );
    expect(contentDisposition('日本.txt')).toBe(
      `attachment; filename="__.txt"; filename*=UTF-8''${encodeURIComponent('日本.txt')}`,
    );
    expect(contentDisposition('a\r\nb')).not.toMatch(/[\r\n]/);
  });

  it('gives a plain ASCII name alone, as the official Node client parses it', () => {
    const header = contentDisposition('report-2024_v2.pdf');
    expect(header).toBe('attachment; filename="report-2024_v2.pdf"');
    // ContextIO-node call-service.js getFile: the text between the first and second `=`, quotes stripped.
    expect(header.split('=')[1]?.slice(1, -1)).toBe('report-2024_v2.pdf');
    expect(contentDisposition('')).toBe(`attachment; filename="file"; filename*=UTF-8''file`);
  });
});
