import { completeConnection } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { Prisma } from '@/lib/db/generated/client';
import type { ImapCheckResult, ImapLogin } from '@/lib/imap/verify';
import { claimAttempt, releaseAttempt } from '@/lib/rate-limits/mutations';
import { clientAddressBucket, mailboxSubject, RATE_LIMITS, type RateLimitName } from '@/lib/rate-limits/schema';
import { mailboxLogin, type TlsMode } from '@/lib/sources/schema';
import { isEmailAddress } from '@/lib/validation/fields';
import type { ConnectPageRow } from './data';
import { exitUrl, finishPath } from './exits';
import { isAcceptedEmail, isAcceptedLogin } from './pinning';
import {
  type FlowError,
  type FlowErrorCode,
  type IdentityInput,
  MAX_DISCOVERY_PROBES,
  type SignInInput,
} from './schema';

/** What the flow needs from the outside world; injected so tests and the bench can pick. */
export interface ConnectFlowDeps {
  /** `takeProbe` spends one of the token's outbound discovery probes; discovery asks it before each request. */
  discover(
    email: string,
    options: { takeProbe: () => Promise<boolean> },
  ): Promise<
    | {
        found: true;
        settings: {
          provider?: string;
          server: string;
          port: number;
          tlsMode: TlsMode;
          username: string;
          source: string;
        };
      }
    // A known provider without IMAP we can reach (Proton, Tuta): the page explains why.
    | { found: false; provider?: string }
  >;
  verify(login: ImapLogin): Promise<ImapCheckResult>;
  /** Queues the mailbox sync of a source just connected or re-connected. */
  startSync(sourceId: string): Promise<void>;
}

/**
 * First visit (the page redirects through GET /connect/:token/start, never
 * writing while it renders): remember when the flow was opened, start from what
 * the partner already told us (the email, or the source being re-connected),
 * and discover the settings once the email is known.
 */
export async function openConnectFlow(db: Db, row: ConnectPageRow, deps: ConnectFlowDeps, now: Date): Promise<void> {
  const source = row.targetSource;
  // The upsert returns the flow as stored, so a flow opened by a concurrent visit is not read again.
  // Its update must not be empty: Prisma runs an empty one as a read then an INSERT, and concurrent first
  // visits (a double click, several tabs) then failed on the primary key; with a field to set it is one
  // INSERT … ON CONFLICT DO UPDATE. Setting the key to itself changes nothing.
  const flow = await db.connectFlow.upsert({
    where: { tokenId: row.id },
    update: { tokenId: row.id },
    create: {
      tokenId: row.id,
      openedAt: now,
      email: source?.email ?? (isEmailAddress(row.email) ? row.email : ''),
      ...(source && {
        server: source.server,
        port: source.port,
        tlsMode: source.tlsMode,
        username: source.username,
        settingsSource: 'source',
        settingsFoundAt: now,
      }),
    },
    select: { email: true, server: true },
  });
  if (flow.email && !flow.server) await applyDiscovery(db, row.id, flow.email, deps, now);
}

/**
 * Spends one of the token's discovery probes, if any is left. One conditional
 * UPDATE, so concurrent page loads cannot overspend it (no read-then-write).
 */
export async function takeDiscoveryProbe(db: Db, tokenId: string): Promise<boolean> {
  const { count } = await db.connectFlow.updateMany({
    where: { tokenId, discoveryProbes: { lt: MAX_DISCOVERY_PROBES } },
    data: { discoveryProbes: { increment: 1 } },
  });
  return count === 1;
}

async function applyDiscovery(db: Db, tokenId: string, email: string, deps: ConnectFlowDeps, now: Date) {
  const takeProbe = () => takeDiscoveryProbe(db, tokenId);
  const discovered = await deps
    .discover(email, { takeProbe })
    .catch(() => ({ found: false as const, provider: undefined }));
  const settings = discovered.found
    ? discovered.settings
    : // Nothing found: a sensible guess the end user can correct under "advanced settings".
      {
        server: `imap.${email.split('@')[1] ?? ''}`,
        port: 993,
        tlsMode: 'TLS' as const,
        username: email,
        provider: discovered.provider,
        source: 'guess',
      };
  await db.connectFlow.update({
    where: { tokenId },
    data: {
      server: settings.server,
      port: settings.port,
      tlsMode: settings.tlsMode,
      username: settings.username,
      provider: settings.provider ?? '',
      settingsSource: settings.source,
      settingsFoundAt: now,
    },
  });
}

/**
 * Step "who": the mailbox address and names, then its settings by discovery.
 * A pinned token keeps its address: another one (a crafted form post; the
 * page does not ask) is refused and the page says which address the link is for.
 */
export async function saveIdentity(
  db: Db,
  row: ConnectPageRow,
  input: IdentityInput,
  deps: ConnectFlowDeps,
  now: Date,
): Promise<{ ok: true } | { ok: false; error: 'identity_mismatch' }> {
  if (!isAcceptedEmail(row, input.email)) {
    await setFlowError(db, row.id, { kind: 'code', code: 'identity_mismatch' });
    return { ok: false, error: 'identity_mismatch' };
  }
  const identity = {
    email: input.email,
    firstName: row.firstNameHidden ? '' : (input.firstName ?? ''),
    lastName: row.lastNameHidden ? '' : (input.lastName ?? ''),
    server: '',
    error: Prisma.DbNull,
  };
  await db.connectFlow.upsert({
    where: { tokenId: row.id },
    update: identity,
    create: { tokenId: row.id, openedAt: now, ...identity },
  });
  await applyDiscovery(db, row.id, input.email, deps, now);
  return { ok: true };
}

export type SignInResult =
  | { ok: true; redirectUrl: string }
  | { ok: false; error: FlowErrorCode | 'already_used'; message?: string };

/** Which limit stopped a sign-in, as the code the page turns into a message. */
const LIMIT_ERRORS: Partial<Record<RateLimitName, FlowErrorCode>> = {
  [RATE_LIMITS.connectToken.name]: 'rate_limited',
  [RATE_LIMITS.connectMailbox.name]: 'mailbox_rate_limited',
  [RATE_LIMITS.connectAddress.name]: 'address_rate_limited',
};

/**
 * Failures where the password cannot have reached the server (no address, a
 * refused TCP connection, our own private-address guard): their attempt is
 * given back. A timeout is not among them: the server may have checked the
 * password and simply not answered in time.
 */
const PASSWORD_NEVER_SENT = new Set<string>(['unknown_host', 'connection_refused', 'private_address']);

/**
 * Step "sign in": prove the credentials with a real IMAP login, then use the
 * token. The password is used here and handed, encrypted, to the source; it is
 * never written anywhere else. Before the login, the attempt is claimed on the
 * token's, the mailbox's and the client address's counters in one statement,
 * so concurrent submissions cannot take more than the limits to the server.
 */
export async function signIn(
  db: Db,
  row: ConnectPageRow,
  input: SignInInput,
  clientAddress: string,
  deps: ConnectFlowDeps,
  now: Date,
): Promise<SignInResult> {
  // The row the action read holds the progress: no second read of the flow.
  const flow = row.flow;
  if (!flow?.email) return failSignIn(db, row.id, 'missing_identity');
  // Pinning, before any attempt is claimed or password sent: the link is for one mailbox.
  if (!isAcceptedEmail(row, flow.email) || !isAcceptedLogin(row, input.username)) {
    return failSignIn(db, row.id, 'identity_mismatch');
  }
  const claim = await claimAttempt(
    db,
    [
      { limit: RATE_LIMITS.connectToken, subject: row.id },
      { limit: RATE_LIMITS.connectMailbox, subject: mailboxSubject(input.server, input.username) },
      { limit: RATE_LIMITS.connectAddress, subject: clientAddressBucket(clientAddress) },
    ],
    now,
  );
  if (!claim.ok) return failSignIn(db, row.id, LIMIT_ERRORS[claim.limit] ?? 'rate_limited');

  const settings = { server: input.server, port: input.port, tlsMode: input.tlsMode, username: input.username };
  await db.connectFlow.update({ where: { tokenId: row.id }, data: { ...settings, error: Prisma.DbNull } });

  const check = await deps.verify(mailboxLogin(settings, input.password));
  if (!check.ok) {
    if (PASSWORD_NEVER_SENT.has(check.failure)) await releaseAttempt(db, claim.held);
    return { ...(await failSignIn(db, row.id, check.failure)), message: check.message };
  }
  // The right password: this attempt was no guess, so it fills no counter.
  await releaseAttempt(db, claim.held);

  const completed = await completeConnection(
    db,
    row.id,
    {
      mailbox: {
        email: flow.email,
        ...settings,
        provider: flow.provider || undefined,
        authenticationType: 'password',
        secret: input.password,
      },
      firstName: flow.firstName,
      lastName: flow.lastName,
    },
    { startSync: deps.startSync },
    now,
  );
  if (!completed.ok) {
    // Already used (another browser finished first): the page shows "connected", not an error.
    if (completed.reason === 'already_used') return { ok: false, error: completed.reason };
    return failSignIn(db, row.id, completed.reason);
  }
  return { ok: true, redirectUrl: exitUrl(row, 'connected') ?? finishPath(row.id) };
}

/** Stores a sign-in failure for the page to show, and returns it. */
async function failSignIn(db: Db, tokenId: string, code: FlowErrorCode): Promise<SignInResult & { ok: false }> {
  await setFlowError(db, tokenId, { kind: 'code', code });
  return { ok: false, error: code };
}

export async function recordCancel(db: Db, tokenId: string, now: Date): Promise<void> {
  await db.connectFlow.updateMany({ where: { tokenId }, data: { cancelledAt: now } });
}

/** The last problem to show the end user (a code, or a field and its message); never a secret. */
export async function setFlowError(db: Db, tokenId: string, error: FlowError): Promise<void> {
  await db.connectFlow.updateMany({ where: { tokenId }, data: { error } });
}
