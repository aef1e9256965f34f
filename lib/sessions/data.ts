import { hashOpaqueToken } from '@/lib/crypto/tokens';
import type { Db } from '@/lib/db/client';

export interface SignedInDeveloper {
  developerId: string;
  email: string;
  appName: string;
  /** Identifies the session without being the cookie: scopes CSRF tokens, keeps this session on password change. */
  sessionId: string;
}

/** The developer behind a session cookie; null when unknown or expired. */
export async function findSignedInDeveloper(db: Db, token: string, now: Date): Promise<SignedInDeveloper | null> {
  if (!token || token.length > 100) return null;
  const tokenHash = hashOpaqueToken(token);
  const session = await db.dashboardSession.findUnique({
    where: { tokenHash },
    select: { expiresAt: true, developer: { select: { id: true, email: true, appName: true } } },
  });
  if (!session || session.expiresAt <= now) return null;
  return {
    developerId: session.developer.id,
    email: session.developer.email,
    appName: session.developer.appName,
    sessionId: tokenHash,
  };
}

/** A reset link's state, for the page that shows the form. */
export async function isPasswordResetUsable(db: Db, token: string, now: Date): Promise<boolean> {
  if (!token || token.length > 100) return false;
  const reset = await db.passwordReset.findUnique({
    where: { tokenHash: hashOpaqueToken(token) },
    select: { expiresAt: true, usedAt: true },
  });
  return !!reset && !reset.usedAt && reset.expiresAt > now;
}
