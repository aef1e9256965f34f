import { describe, expect, it } from 'vitest';
import { isMessageForWebhook, type MessageFacts, parseFilterPattern, type WebhookRules } from './rules';

const noFilters: WebhookRules = {
  filterTo: '',
  filterFrom: '',
  filterCc: '',
  filterSubject: '',
  filterThread: '',
  filterFileName: '',
  filterFolderAdded: '',
  filterToDomain: '',
  filterFromDomain: '',
  receiveDrafts: false,
};

const message: MessageFacts = {
  from: [{ email: 'ann@billing.example.org', name: 'Ann Smith' }],
  to: [{ email: 'jane@example.com', name: 'Jane' }],
  cc: [{ email: 'bob@example.net', name: '' }],
  subject: 'Invoice 42 for March',
  fileNames: ['invoice-42.pdf'],
  folder: 'INBOX',
  isDraft: false,
  threadIds: ['t-1', '1789'],
  threadMessageIds: ['<root@example.org>', '<reply@example.org>'],
};

const matches = (rules: Partial<WebhookRules>, facts: Partial<MessageFacts> = {}) =>
  isMessageForWebhook({ ...noFilters, ...rules }, { ...message, ...facts });

describe('webhook filters', () => {
  it('no filter matches every message but a draft', () => {
    expect(matches({})).toBe(true);
    expect(matches({}, { isDraft: true })).toBe(false);
    expect(matches({ receiveDrafts: true }, { isDraft: true })).toBe(true);
  });

  it('address filters match the address or the name, in any case', () => {
    expect(matches({ filterFrom: 'ANN@billing' })).toBe(true);
    expect(matches({ filterFrom: 'ann smith' })).toBe(true);
    expect(matches({ filterFrom: 'jane' })).toBe(false);
    expect(matches({ filterTo: 'jane@example.com' })).toBe(true);
    expect(matches({ filterCc: 'bob@' })).toBe(true);
    expect(matches({ filterCc: 'ann' })).toBe(false);
  });

  it('a value between slashes is a regular expression, flags after it', () => {
    expect(matches({ filterSubject: '/^invoice \\d+/' })).toBe(false);
    expect(matches({ filterSubject: '/^invoice \\d+/i' })).toBe(true);
    expect(matches({ filterFileName: '/\\.pdf$/' })).toBe(true);
    expect(matches({ filterFileName: '/\\.docx$/' })).toBe(false);
    expect(parseFilterPattern('/(unclosed/')).toBeNull();
    // The g flag would make test() stateful: not accepted.
    expect(parseFilterPattern('/x/g')?.('/x/g')).toBe(true);
  });

  it('domain filters compare whole domains; a regex may match subdomains', () => {
    expect(matches({ filterFromDomain: 'billing.example.org' })).toBe(true);
    expect(matches({ filterFromDomain: 'example.org' })).toBe(false);
    expect(matches({ filterFromDomain: '/(^|\\.)example\\.org$/' })).toBe(true);
    expect(matches({ filterToDomain: '@EXAMPLE.com' })).toBe(true);
    expect(matches({ filterToDomain: 'example.net' })).toBe(false);
  });

  it('folder and thread filters, and every filter ANDed', () => {
    expect(matches({ filterFolderAdded: 'INBOX' })).toBe(true);
    expect(matches({ filterFolderAdded: 'Archive' })).toBe(false);
    expect(matches({ filterThread: '1789' })).toBe(true);
    expect(matches({ filterThread: '<root@example.org>' })).toBe(true);
    expect(matches({ filterThread: '<other@example.org>' })).toBe(false);
    expect(matches({ filterFrom: 'ann', filterSubject: 'invoice' })).toBe(true);
    expect(matches({ filterFrom: 'ann', filterSubject: 'receipt' })).toBe(false);
    expect(matches({ filterSubject: 'invoice' }, { subject: '' })).toBe(false);
  });
});
