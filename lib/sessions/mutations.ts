import { hashPassword, passwordHashForTiming, verifyPassword } from '@/lib/crypto/passwords';
import { hashOpaqueToken, newOpaqueToken } from '@/lib/crypto/tokens';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import { newDeveloperId } from '@/lib/ids';
import { claimAttempt, releaseAttempt, resetRateLimit } from '@/lib/rate-limits/mutations';
import { clientAddressBucket, RATE_LIMITS } from '@/lib/rate-limits/schema';
import {
  type ChangePasswordInput,
  PASSWORD_RESET_LIFETIME_MS,
  SESSION_LIFETIME_MS,
  type SignInInput,
  type SignUpInput,
} from './schema';

/**
 * Dashboard sign-in: developers, their passwords and their browser sessions.
 * Expected outcomes are values; the transports (server actions, the operator
 * command) decide what to show.
 */

export interface NewSession {
  /** The cookie value: shown to the browser once, stored only as a hash. */
  token: string;
  expiresAt: Date;
}

export async function createSession(db: Db, developerId: string, now: Date): Promise<NewSession> {
  const token = newOpaqueToken();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await db.dashboardSession.create({
    data: { tokenHash: hashOpaqueToken(token), developerId, createdAt: now, expiresAt },
  });
  return { token, expiresAt };
}

export async function endSession(db: Db, token: string): Promise<void> {
  await db.dashboardSession.deleteMany({ where: { tokenHash: hashOpaqueToken(token) } });
}

export type SignUpResult =
  | { ok: true; developerId: string }
  | { ok: false; reason: 'email_taken' }
  | { ok: false; reason: 'rate_limited'; retryAt: Date };

/**
 * A new developer with a password. An email that exists already is refused even
 * when it has no password yet (made by `keys:create`): taking it over would hand
 * someone else's keys to whoever signs up first. Every sign-up costs an argon2
 * hash, so each client address gets a limited number per hour, counted before hashing.
 */
export async function signUpDeveloper(
  db: Db,
  input: SignUpInput,
  clientAddress: string,
  now: Date,
): Promise<SignUpResult> {
  const claim = await claimAttempt(
    db,
    [{ limit: RATE_LIMITS.signUpAddress, subject: clientAddressBucket(clientAddress) }],
    now,
  );
  if (!claim.ok) return { ok: false, reason: 'rate_limited', retryAt: claim.retryAt };
  const passwordHash = await hashPassword(input.password);
  try {
    const developer = await db.developer.create({
      data: { id: newDeveloperId(), email: input.email, appName: input.appName, passwordHash, createdAt: now },
      select: { id: true },
    });
    return { ok: true, developerId: developer.id };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      return { ok: false, reason: 'email_taken' };
    }
    throw error;
  }
}

export type SignInResult =
  | { ok: true; developerId: string }
  | { ok: false; reason: 'invalid' }
  /** `rate_limited`: too many wrong passwords for this email; `address_rate_limited`: from this client address. */
  | { ok: false; reason: 'rate_limited' | 'address_rate_limited'; retryAt: Date };

/**
 * Checks the password. Each attempt first claims a place on the email's and
 * the client address's counters in one statement, before argon2 runs, so a
 * concurrent burst gets exactly the limit checked. A right password gives its
 * place back but does not clear the count: a reset on success would hand an
 * attacker guessing at the same time a fresh allowance whenever the owner signs in.
 */
export async function signInDeveloper(
  db: Db,
  input: SignInInput,
  clientAddress: string,
  now: Date,
): Promise<SignInResult> {
  const claim = await claimAttempt(
    db,
    [
      { limit: RATE_LIMITS.signInAccount, subject: input.email },
      { limit: RATE_LIMITS.signInAddress, subject: clientAddressBucket(clientAddress) },
    ],
    now,
  );
  if (!claim.ok) {
    const reason = claim.limit === RATE_LIMITS.signInAccount.name ? 'rate_limited' : 'address_rate_limited';
    return { ok: false, reason, retryAt: claim.retryAt };
  }
  const developer = await db.developer.findUnique({
    where: { email: input.email },
    select: { id: true, passwordHash: true },
  });
  if (!developer?.passwordHash) {
    // Same work as a real check, so timing does not reveal which emails exist.
    await verifyPassword(await passwordHashForTiming(), input.password);
    return { ok: false, reason: 'invalid' };
  }
  if (!(await verifyPassword(developer.passwordHash, input.password))) return { ok: false, reason: 'invalid' };
  await releaseAttempt(db, claim.held);
  return { ok: true, developerId: developer.id };
}

export type CreatePasswordResetResult =
  | { ok: true; token: string; expiresAt: Date }
  | { ok: false; reason: 'unknown_email' };

/** The operator's reset path (no e-mail delivery): a one-time link for a developer. */
export async function createPasswordReset(db: Db, email: string, now: Date): Promise<CreatePasswordResetResult> {
  const developer = await db.developer.findUnique({ where: { email: email.toLowerCase() }, select: { id: true } });
  if (!developer) return { ok: false, reason: 'unknown_email' };
  const token = newOpaqueToken();
  const expiresAt = new Date(now.getTime() + PASSWORD_RESET_LIFETIME_MS);
  await db.passwordReset.create({
    data: { tokenHash: hashOpaqueToken(token), developerId: developer.id, createdAt: now, expiresAt },
  });
  return { ok: true, token, expiresAt };
}

export type ResetPasswordResult = { ok: true; developerId: string } | { ok: false; reason: 'invalid_link' };

/**
 * Uses a reset link once: the claim is a conditional update, so two submissions
 * cannot both succeed. Every session of the developer ends (a reset often means
 * someone else knew the password) and the email's wrong-password count starts over.
 */
export async function resetPassword(db: Db, token: string, password: string, now: Date): Promise<ResetPasswordResult> {
  const tokenHash = hashOpaqueToken(token);
  const passwordHash = await hashPassword(password);
  const result = await db.$transaction(async (tx) => {
    const claimed = await tx.passwordReset.updateMany({
      where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (claimed.count === 0) return { ok: false as const, reason: 'invalid_link' as const };
    const { developerId } = await tx.passwordReset.findUniqueOrThrow({
      where: { tokenHash },
      select: { developerId: true },
    });
    const { email } = await tx.developer.update({
      where: { id: developerId },
      data: { passwordHash },
      select: { email: true },
    });
    await tx.dashboardSession.deleteMany({ where: { developerId } });
    // Other links made earlier for the same developer stop working too.
    await tx.passwordReset.updateMany({ where: { developerId, usedAt: null }, data: { usedAt: now } });
    return { ok: true as const, developerId, email };
  });
  if (!result.ok) return result;
  // The operator handed out this link: the new password must work at once, whatever was guessed before.
  await resetRateLimit(db, RATE_LIMITS.signInAccount, result.email);
  return { ok: true, developerId: result.developerId };
}

export type ChangePasswordResult = { ok: true } | { ok: false; reason: 'wrong_password' };

/** A signed-in developer's new password; the other sessions end, this one stays. */
export async function changePassword(
  db: Db,
  developerId: string,
  currentSessionId: string,
  input: ChangePasswordInput,
): Promise<ChangePasswordResult> {
  const developer = await db.developer.findUniqueOrThrow({
    where: { id: developerId },
    select: { passwordHash: true },
  });
  if (!developer.passwordHash || !(await verifyPassword(developer.passwordHash, input.currentPassword))) {
    return { ok: false, reason: 'wrong_password' };
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.$transaction([
    db.developer.update({ where: { id: developerId }, data: { passwordHash } }),
    db.dashboardSession.deleteMany({ where: { developerId, tokenHash: { not: currentSessionId } } }),
  ]);
  return { ok: true };
}

/** Housekeeping: sessions and reset links past their expiry. */
export async function purgeExpiredSessions(db: Db, now: Date): Promise<number> {
  const [sessions, resets] = await db.$transaction([
    db.dashboardSession.deleteMany({ where: { expiresAt: { lte: now } } }),
    db.passwordReset.deleteMany({ where: { expiresAt: { lte: now } } }),
  ]);
  return sessions.count + resets.count;
}
