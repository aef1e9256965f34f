import { type ConnectTokenLevel, connectTokenLevel } from '@/lib/connect-tokens/schema';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { isConnectToken } from '@/lib/ids';

/** Everything the connect pages show for one token: who asks, what for, and how far the end user got. */
const connectPageSelect = {
  id: true,
  email: true,
  firstName: true,
  lastName: true,
  firstNameHidden: true,
  lastNameHidden: true,
  callbackUrl: true,
  createdAt: true,
  expiresAt: true,
  usedAt: true,
  targetAccountId: true,
  targetSource: {
    select: { id: true, label: true, email: true, server: true, port: true, tlsMode: true, username: true },
  },
  developer: { select: { appName: true } },
  flow: true,
} satisfies Prisma.ConnectTokenSelect;

export type ConnectPageRow = Prisma.ConnectTokenGetPayload<{ select: typeof connectPageSelect }>;

export type ConnectPageState =
  | { kind: 'not_found' }
  | { kind: 'expired'; appName: string }
  | { kind: 'used'; appName: string; row: ConnectPageRow }
  | { kind: 'active'; appName: string; level: ConnectTokenLevel; row: ConnectPageRow };

export const isFullEmail = (value: string) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value);

export async function loadConnectPage(db: Db, token: string, now: Date): Promise<ConnectPageState> {
  if (!isConnectToken(token)) return { kind: 'not_found' };
  const row = await db.connectToken.findUnique({ where: { id: token }, select: connectPageSelect });
  if (!row) return { kind: 'not_found' };
  const appName = row.developer.appName;
  if (row.usedAt) return { kind: 'used', appName, row };
  if (row.expiresAt <= now) return { kind: 'expired', appName };
  return { kind: 'active', appName, level: connectTokenLevel(row), row };
}

/**
 * A token's callback URL, for the connect pages' CSP: without JavaScript the
 * sign-in form's POST redirects there, and Chrome checks that against form-action.
 */
export async function findConnectCallbackUrl(db: Db, token: string): Promise<string | null> {
  if (!/^[0-9a-z]{16}$/.test(token)) return null;
  const row = await db.connectToken.findUnique({ where: { id: token }, select: { callbackUrl: true } });
  return row?.callbackUrl ?? null;
}
