import { type ConnectTokenLevel, connectTokenLevel } from '@/lib/connect-tokens/schema';
import type { Db } from '@/lib/db/client';
import type { Prisma } from '@/lib/db/generated/client';
import { isConnectToken } from '@/lib/ids';
import { type FlowError, readFlowError } from './schema';

/**
 * Everything the connect pages and their actions need for one token, in one
 * query: who asks, what for, and how far the end user got. The page, the
 * start route and each action read it once; the redeem reads nothing more.
 */
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
  developerId: true,
  targetAccountId: true,
  targetSource: {
    select: {
      id: true,
      label: true,
      email: true,
      server: true,
      port: true,
      tlsMode: true,
      username: true,
      // A re-connect of an OAuth2 source offers the same provider again.
      authenticationType: true,
      oauthProvider: { select: { type: true } },
    },
  },
  locale: true,
  mode: true,
  redirectOnError: true,
  developer: {
    select: { appName: true, brand: { select: { accentColor: true, theme: true, logoId: true } } },
  },
  flow: {
    select: {
      email: true,
      firstName: true,
      lastName: true,
      server: true,
      port: true,
      tlsMode: true,
      username: true,
      provider: true,
      settingsSource: true,
      error: true,
      cancelledAt: true,
    },
  },
} satisfies Prisma.ConnectTokenSelect;

type StoredConnectPageRow = Prisma.ConnectTokenGetPayload<{ select: typeof connectPageSelect }>;
type StoredFlow = NonNullable<StoredConnectPageRow['flow']>;

/** The end user's progress, its error parsed (never a string to pick apart). */
export type ConnectFlowState = Omit<StoredFlow, 'error'> & { error: FlowError | null };
export type ConnectPageRow = Omit<StoredConnectPageRow, 'flow'> & { flow: ConnectFlowState | null };

export type ConnectPageState =
  | { kind: 'not_found' }
  | { kind: 'expired'; appName: string; row: ConnectPageRow }
  | { kind: 'used'; appName: string; row: ConnectPageRow }
  | { kind: 'active'; appName: string; level: ConnectTokenLevel; row: ConnectPageRow };

export async function loadConnectPage(db: Db, token: string, now: Date): Promise<ConnectPageState> {
  if (!isConnectToken(token)) return { kind: 'not_found' };
  const stored = await db.connectToken.findUnique({ where: { id: token }, select: connectPageSelect });
  if (!stored) return { kind: 'not_found' };
  const row: ConnectPageRow = {
    ...stored,
    flow: stored.flow && { ...stored.flow, error: readFlowError(stored.flow.error) },
  };
  const appName = row.developer.appName;
  if (row.usedAt) return { kind: 'used', appName, row };
  if (row.expiresAt <= now) return { kind: 'expired', appName, row };
  return { kind: 'active', appName, level: connectTokenLevel(row), row };
}

/**
 * What the proxy needs of a token before the page renders: its callback URL for
 * the CSP (without JavaScript the sign-in form's POST redirects there, and Chrome
 * checks that against form-action) and its locale for `<html lang>`.
 */
export async function findConnectPageHints(
  db: Db,
  token: string,
): Promise<{ callbackUrl: string; locale: string } | null> {
  if (!isConnectToken(token)) return null;
  return db.connectToken.findUnique({ where: { id: token }, select: { callbackUrl: true, locale: true } });
}
