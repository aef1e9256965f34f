import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashOpaqueToken } from '@/lib/crypto/tokens';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey, ensureFirstDeveloper } from '@/lib/developers/mutations';
import { RATE_LIMITS } from '@/lib/rate-limits/schema';
import { findSignedInDeveloper, isPasswordResetUsable } from './data';
import {
  changePassword,
  createPasswordReset,
  createSession,
  endSession,
  purgeExpiredSessions,
  resetPassword,
  signInDeveloper,
  signUpDeveloper,
} from './mutations';
import { PASSWORD_RESET_LIFETIME_MS, resetPasswordInput, SESSION_LIFETIME_MS, signUpInput } from './schema';

const MAX_SIGN_IN_FAILURES = RATE_LIMITS.signInAccount.max;
const SIGN_IN_FAILURE_WINDOW_MS = RATE_LIMITS.signInAccount.windowMs;
/** Where these tests sign in from; the concurrency tests in sign-in-limits.test.ts vary it. */
const address = '192.0.2.10';

describe.each(testDatabaseKinds())('dashboard sign-in on %s', (kind) => {
  let database: TestDatabase;
  const now = new Date('2026-11-25T10:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);

  beforeAll(async () => {
    database = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('signs up with an argon2id hash, never the password, and refuses a taken email', async () => {
    const signedUp = await signUpDeveloper(
      database.db,
      { email: 'new@example.com', appName: 'New App', password: 'correct horse battery' },
      address,
      now,
    );
    expect(signedUp.ok).toBe(true);
    const row = await database.db.developer.findUniqueOrThrow({ where: { email: 'new@example.com' } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain('correct horse');
    expect(
      await signUpDeveloper(
        database.db,
        { email: 'new@example.com', appName: 'X', password: 'another password' },
        address,
        now,
      ),
    ).toEqual({ ok: false, reason: 'email_taken' });
  });

  it('never lets sign-up take over a developer made by keys:create (no password yet)', async () => {
    await createDeveloperKey(database.db, { email: 'cli@example.com', appName: 'CLI App' });
    expect(
      await signUpDeveloper(
        database.db,
        { email: 'cli@example.com', appName: 'Mine', password: 'takeover attempt' },
        address,
        now,
      ),
    ).toEqual({ ok: false, reason: 'email_taken' });
    expect(
      await signInDeveloper(database.db, { email: 'cli@example.com', password: 'takeover attempt' }, address, now),
    ).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('validates sign-up input with messages for the form', () => {
    const parsed = signUpInput.safeParse({ email: 'Not An Email', appName: ' ', password: 'short' });
    expect(parsed.success).toBe(false);
    const messages = parsed.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toEqual([
      'email: Enter an email address like you@example.com.',
      'appName: Enter the app name your users will see.',
      'password: Use at least 10 characters.',
    ]);
    expect(signUpInput.parse({ email: ' Mixed@Example.COM ', appName: 'A', password: '0123456789' }).email).toBe(
      'mixed@example.com',
    );
    expect(
      resetPasswordInput.safeParse({ password: '0123456789', confirmPassword: '0123456780' }).error?.issues[0],
    ).toMatchObject({
      path: ['confirmPassword'],
    });
  });

  it('signs in with the right password only, and a session finds its developer until it expires or ends', async () => {
    await signUpDeveloper(
      database.db,
      { email: 'sess@example.com', appName: 'Sess', password: 'session password' },
      address,
      now,
    );
    expect(
      await signInDeveloper(database.db, { email: 'sess@example.com', password: 'wrong password' }, address, now),
    ).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(
      await signInDeveloper(database.db, { email: 'nobody@example.com', password: 'whatever' }, address, now),
    ).toEqual({
      ok: false,
      reason: 'invalid',
    });
    const signedIn = await signInDeveloper(
      database.db,
      { email: 'sess@example.com', password: 'session password' },
      address,
      now,
    );
    if (!signedIn.ok) throw new Error('expected sign-in');

    const session = await createSession(database.db, signedIn.developerId, now);
    expect(session.token.length).toBeGreaterThanOrEqual(43);
    // Only the hash is stored: the cookie value is nowhere in the table.
    const stored = await database.db.dashboardSession.findMany({ where: { developerId: signedIn.developerId } });
    expect(stored.map((row) => row.tokenHash)).toEqual([hashOpaqueToken(session.token)]);
    expect(stored[0]?.tokenHash).not.toBe(session.token);

    expect(await findSignedInDeveloper(database.db, session.token, now)).toMatchObject({
      developerId: signedIn.developerId,
      email: 'sess@example.com',
      appName: 'Sess',
    });
    expect(await findSignedInDeveloper(database.db, `${session.token}x`, now)).toBeNull();
    expect(await findSignedInDeveloper(database.db, '', now)).toBeNull();
    expect(await findSignedInDeveloper(database.db, session.token, later(SESSION_LIFETIME_MS))).toBeNull();

    await endSession(database.db, session.token);
    expect(await findSignedInDeveloper(database.db, session.token, now)).toBeNull();
  });

  it('pauses sign-in after too many wrong passwords, also for the right one, until the window passes', async () => {
    await signUpDeveloper(
      database.db,
      { email: 'guess@example.com', appName: 'G', password: 'the real password' },
      address,
      now,
    );
    for (let i = 0; i < MAX_SIGN_IN_FAILURES; i++) {
      expect(
        (await signInDeveloper(database.db, { email: 'guess@example.com', password: `guess ${i}` }, address, now)).ok,
      ).toBe(false);
    }
    expect(
      await signInDeveloper(database.db, { email: 'guess@example.com', password: 'the real password' }, address, now),
    ).toEqual({
      ok: false,
      reason: 'rate_limited',
      retryAt: later(SIGN_IN_FAILURE_WINDOW_MS),
    });
    const afterWindow = later(SIGN_IN_FAILURE_WINDOW_MS + 1000);
    expect(
      (
        await signInDeveloper(
          database.db,
          { email: 'guess@example.com', password: 'the real password' },
          address,
          afterWindow,
        )
      ).ok,
    ).toBe(true);
  });

  it('a reset link works once, ends every session and lets the new password in', async () => {
    const created = await createDeveloperKey(database.db, { email: 'reset@example.com', appName: 'R' });
    const oldSession = await createSession(database.db, created.developerId, now);
    expect(await createPasswordReset(database.db, 'nobody@example.com', now)).toEqual({
      ok: false,
      reason: 'unknown_email',
    });
    const link = await createPasswordReset(database.db, 'Reset@Example.com', now);
    if (!link.ok) throw new Error('expected a link');
    const earlierLink = await createPasswordReset(database.db, 'reset@example.com', now);
    if (!earlierLink.ok) throw new Error('expected a link');
    expect(await isPasswordResetUsable(database.db, link.token, now)).toBe(true);
    expect(await isPasswordResetUsable(database.db, link.token, later(PASSWORD_RESET_LIFETIME_MS))).toBe(false);
    expect(
      await resetPassword(database.db, link.token, 'brand new password', later(PASSWORD_RESET_LIFETIME_MS)),
    ).toEqual({ ok: false, reason: 'invalid_link' });

    const results = await Promise.all([
      resetPassword(database.db, link.token, 'brand new password', now),
      resetPassword(database.db, link.token, 'racing password!!', now),
    ]);
    expect(results.filter((result) => result.ok)).toHaveLength(1);
    expect(await isPasswordResetUsable(database.db, link.token, now)).toBe(false);
    // Every other link for this developer is spent too.
    expect(await isPasswordResetUsable(database.db, earlierLink.token, now)).toBe(false);
    expect(await findSignedInDeveloper(database.db, oldSession.token, now)).toBeNull();
    const winner = results[0]?.ok ? 'brand new password' : 'racing password!!';
    expect(
      (await signInDeveloper(database.db, { email: 'reset@example.com', password: winner }, address, now)).ok,
    ).toBe(true);
  });

  it('changes the password with the current one, keeping this session and ending the others', async () => {
    const signedUp = await signUpDeveloper(
      database.db,
      { email: 'change@example.com', appName: 'C', password: 'first password' },
      address,
      now,
    );
    if (!signedUp.ok) throw new Error('setup');
    const here = await createSession(database.db, signedUp.developerId, now);
    const elsewhere = await createSession(database.db, signedUp.developerId, now);
    const hereId = hashOpaqueToken(here.token);
    const input = { newPassword: 'second password', confirmPassword: 'second password' };
    expect(
      await changePassword(database.db, signedUp.developerId, hereId, { ...input, currentPassword: 'nope' }),
    ).toEqual({
      ok: false,
      reason: 'wrong_password',
    });
    expect(
      await changePassword(database.db, signedUp.developerId, hereId, { ...input, currentPassword: 'first password' }),
    ).toEqual({ ok: true });
    expect(await findSignedInDeveloper(database.db, here.token, now)).not.toBeNull();
    expect(await findSignedInDeveloper(database.db, elsewhere.token, now)).toBeNull();
    expect(
      (await signInDeveloper(database.db, { email: 'change@example.com', password: 'second password' }, address, now))
        .ok,
    ).toBe(true);
  });

  it('gives the first developer of an embedded install a password that signs in', async () => {
    const fresh = await openTestDatabase(kind);
    try {
      const first = await ensureFirstDeveloper(fresh.db);
      if (!first) throw new Error('expected a first developer');
      expect(first.password).toMatch(/^[a-zA-Z0-9]{20}$/);
      expect(await signInDeveloper(fresh.db, { email: first.email, password: first.password }, address, now)).toEqual({
        ok: true,
        developerId: first.developerId,
      });
    } finally {
      await fresh.close();
    }
  });

  it('purges expired sessions and reset links only', async () => {
    const developer = await createDeveloperKey(database.db, { email: 'purge@example.com', appName: 'P' });
    const live = await createSession(database.db, developer.developerId, later(SESSION_LIFETIME_MS));
    const purged = await purgeExpiredSessions(database.db, later(SESSION_LIFETIME_MS + 1));
    expect(purged).toBeGreaterThan(0);
    expect(await findSignedInDeveloper(database.db, live.token, later(SESSION_LIFETIME_MS + 1))).not.toBeNull();
  });
});
