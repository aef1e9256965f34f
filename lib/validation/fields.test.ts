import { describe, expect, it } from 'vitest';
import { identityInput } from '@/lib/connect-flow/schema';
import { createConnectTokenInput } from '@/lib/connect-tokens/schema';
import { createDeveloperKeyInput } from '@/lib/developers/schema';
import { mailboxAddress } from '@/lib/discovery/schema';
import { emailField } from '@/lib/sessions/schema';
import {
  emailAddress,
  findUnstorableField,
  isEmailAddress,
  isEmailDomain,
  isStorableText,
  optionalText,
  storableString,
} from './fields';

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

describe('the one email field', () => {
  const messages = { invalid: 'bad', required: 'empty', tooLong: 'long', controlCharacters: 'control' };
  const firstMessage = (schema: ReturnType<typeof emailAddress>, value: unknown) =>
    schema.safeParse(value).error?.issues.map((issue) => issue.message);

  it('takes one full address with a letter TLD, never an IP literal or a quoted local part', () => {
    for (const good of ['jane@example.com', 'Jane.Doe+news@mail.example.co.uk', "o'brien@example.ie"]) {
      expect(isEmailAddress(good), good).toBe(true);
    }
    for (const bad of ['', 'jane', 'a@b', 'a@127.0.0.1', 'a@[10.0.0.1]', '"a b"@example.com', '.jane@example.com']) {
      expect(isEmailAddress(bad), bad).toBe(false);
    }
    expect(isEmailDomain('@example.com')).toBe(true);
    for (const bad of ['example.com', 'jane@example.com', '@', '@localhost', 'x@example.com']) {
      expect(isEmailDomain(bad), bad).toBe(false);
    }
  });

  it("gives exactly one message per problem, in the caller's words, and trims first", () => {
    const schema = emailAddress({ messages });
    expect(schema.parse('  Jane@Example.com ')).toBe('Jane@Example.com');
    expect(firstMessage(schema, '   ')).toEqual(['empty']);
    expect(firstMessage(schema, 5)).toEqual(['empty']);
    expect(firstMessage(schema, 'jane\t@example.com')).toEqual(['control']);
    expect(firstMessage(schema, `${'a'.repeat(250)}@example.com`)).toEqual(['long']);
    expect(firstMessage(schema, 'jane@')).toEqual(['bad']);
    expect(firstMessage(schema, '@example.com')).toEqual(['bad']);
    expect(emailAddress({ messages, lowerCase: true }).parse('Jane@Example.com')).toBe('jane@example.com');
    expect(emailAddress({ messages, allowDomain: true }).parse('@example.com')).toBe('@example.com');
  });

  it("is the schema of every email input, with each caller's messages kept", () => {
    const errorOf = (result: { error?: { issues: Array<{ message: string }> } }) => result.error?.issues[0]?.message;
    expect(errorOf(createDeveloperKeyInput.safeParse({ email: 'nope', appName: 'A' }))).toBe(
      'expected an email address',
    );
    expect(createDeveloperKeyInput.parse({ email: ' Dev@Example.com', appName: 'A' }).email).toBe('dev@example.com');
    expect(errorOf(emailField.safeParse(''))).toBe('Enter your email address.');
    expect(errorOf(emailField.safeParse('nope'))).toBe('Enter an email address like you@example.com.');
    // The connect pages' schema names problem codes; the pages word them per locale (lib/i18n).
    expect(errorOf(identityInput.safeParse({ email: 'nope' }))).toBe('invalid_email');
    expect(errorOf(identityInput.safeParse({ email: `${'a'.repeat(250)}@example.com` }))).toBe('too_long');
    expect(errorOf(mailboxAddress.safeParse('a@127.0.0.1'))).toBe('expected an email address such as jane@example.com');
    // Discovery keeps the local part's case: some servers tell Jane from jane.
    expect(mailboxAddress.parse('Jane@Example.com')).toBe('Jane@Example.com');
    const token = (email: string) =>
      createConnectTokenInput.safeParse({ callback_url: 'https://p.example.com', email });
    expect(token('@Example.com').data?.email).toBe('@example.com');
    expect(token('').data?.email).toBeUndefined();
    expect(errorOf(token('example.com'))).toBe(
      'expected an email address such as jane@example.com, or @example.com to ask for the rest',
    );
  });

  it('refuses a token address that is only valid with a letter put in front of it', () => {
    // The old `@domain` check tried `x${value}`, which let a leading dot through.
    for (const bad of ['.jane@example.com', '.j.doe@example.com']) {
      expect(
        createConnectTokenInput.safeParse({ callback_url: 'https://p.example.com', email: bad }).success,
        bad,
      ).toBe(false);
    }
  });
});
