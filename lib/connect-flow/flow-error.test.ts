import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { flowErrorMessage, signInErrorConcernsSettings, signInErrorMessage } from '@/components/connect/messages';
import { LOCALES } from '@/lib/i18n/locales';
import { translatorFor } from '@/lib/i18n/messages';
import { FLOW_ERROR_CODES, fieldErrorOf, identityInput, readFlowError } from './schema';

const en = translatorFor('en');
const context = { server: 'imap.example.com', appName: 'Test app', expected: 'jane@example.com' };

describe('flow errors', () => {
  it('words every code, each in its own way where the cause differs, in every locale', () => {
    for (const locale of LOCALES) {
      const messages = FLOW_ERROR_CODES.map((code) => signInErrorMessage(translatorFor(locale), code, context));
      for (const message of messages) expect(message, locale).toMatch(/^\S.{10,}[.。]$/);
      expect(new Set(messages).size, locale).toBe(FLOW_ERROR_CODES.length - 1);
    }
    const messages = FLOW_ERROR_CODES.map((code) => signInErrorMessage(en, code, context));
    for (const message of messages) expect(message).toMatch(/^\S.{10,}\.$/);
    // Only expired and not_found share a message (both: start again from the app).
    expect(new Set(messages).size).toBe(FLOW_ERROR_CODES.length - 1);
    expect(signInErrorMessage(en, 'connection_refused', context)).toContain('imap.example.com');
    expect(signInErrorMessage(translatorFor('de'), 'identity_mismatch', context)).toBe(
      'Dieser Link gilt nur für jane@example.com. Melden Sie sich bei diesem Postfach an oder gehen Sie zurück zu Test app.',
    );
    expect(signInErrorConcernsSettings('auth_failed')).toBe(false);
    expect(signInErrorConcernsSettings('rate_limited')).toBe(false);
    expect(signInErrorConcernsSettings('tls_failed')).toBe(true);
  });

  it('reads only what the union allows: old strings and unknown codes are no error', () => {
    expect(readFlowError({ kind: 'code', code: 'auth_failed' })).toEqual({ kind: 'code', code: 'auth_failed' });
    expect(readFlowError({ kind: 'field', field: 'email', problem: 'invalid_email' })).toMatchObject({
      field: 'email',
    });
    // A field error stored with an English message (before the pages spoke several languages) is no error.
    expect(readFlowError({ kind: 'field', field: 'email', message: 'Enter an email address.' })).toBeNull();
    for (const stored of [null, 'auth_failed', '{"field":"email"}', { kind: 'code', code: 'no_such_code' }, {}]) {
      expect(readFlowError(stored)).toBeNull();
    }
    expect(readFlowError({ kind: 'field', field: 'password', problem: 'no_such_problem' })).toBeNull();
  });

  it('turns a form parse failure into a field problem code, worded per locale, never the input', () => {
    const parsed = identityInput.safeParse({ email: 'not an address' });
    if (parsed.success) throw new Error('expected a failure');
    const error = fieldErrorOf(parsed.error.issues, 'email');
    expect(error).toEqual({ kind: 'field', field: 'email', problem: 'invalid_email' });
    expect(flowErrorMessage(en, error, context)).toBe('Enter an email address like jane@example.com.');
    expect(flowErrorMessage(translatorFor('ja'), error, context)).toContain('jane@example.com');
    expect(flowErrorMessage(en, error, context)).not.toContain('not an address');
    const long = identityInput.safeParse({ email: 'a@b.co', firstName: 'x'.repeat(101) });
    if (long.success) throw new Error('expected a failure');
    expect(flowErrorMessage(translatorFor('fr'), fieldErrorOf(long.error.issues, 'email'), context)).toBe(
      'Utilisez au plus 100 caractères.',
    );
  });

  it('migrates the old last_error strings: codes kept as typed errors, field JSON and empty cleared', async () => {
    const directory = path.join(import.meta.dirname, '../../prisma/migrations/20261126042800_connect_flow_error_json');
    const pglite = await PGlite.create();
    try {
      await pglite.exec(`CREATE TABLE connect_flows (token_id TEXT PRIMARY KEY, last_error TEXT NOT NULL DEFAULT '');
        INSERT INTO connect_flows VALUES ('a', 'auth_failed'), ('b', ''), ('c', '{"field":"email","message":"Enter it."}'),
          ('d', 'mailbox_rate_limited');`);
      await pglite.exec(readFileSync(path.join(directory, 'migration.sql'), 'utf8'));
      const { rows } = await pglite.query<{ token_id: string; error: unknown }>(
        'SELECT token_id, error FROM connect_flows ORDER BY token_id',
      );
      expect(rows.map((row) => [row.token_id, readFlowError(row.error)])).toEqual([
        ['a', { kind: 'code', code: 'auth_failed' }],
        ['b', null],
        ['c', null],
        ['d', { kind: 'code', code: 'mailbox_rate_limited' }],
      ]);
    } finally {
      await pglite.close();
    }
  });
});
