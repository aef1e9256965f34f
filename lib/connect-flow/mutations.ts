import { redeemConnectToken } from '@/lib/connect-tokens/mutations';
import type { Db } from '@/lib/db/client';
import { claimAttempt, releaseAttempt } from '@/lib/rate-limits/mutations';
import { clientAddressBucket, mailboxSubject, RATE_LIMITS, type RateLimitName } from '@/lib/rate-limits/schema';
import type { TlsMode } from '@/lib/sources/schema';
import { type ConnectPageRow, isFullEmail } from './data';
import { type IdentityInput, MAX_DISCOVERY_PROBES, type SignInInput } from './schema';

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
  verify(login: {
    server: string;
    port: number;
    tlsMode: TlsMode;
    username: string;
    password: string;
  }): Promise<{ ok: true } | { ok: false; failure: string; message: string }>;
  /** Queues the mailbox sync of a source just connected or re-connected. */
  startSync(sourceId: string): Promise<void>;
}

/**
 * First visit: remember when the page was opened, and start from what the
 * partner already told us (the email, or the source being re-connected).
 */
export async function openConnectFlow(db: Db, row: ConnectPageRow, deps: ConnectFlowDeps, now: Date): Promise<void> {
  if (!row.flow) {
    const source = row.targetSource;
    await db.connectFlow.upsert({
      where: { tokenId: row.id },
      update: {},
      create: {
        tokenId: row.id,
        openedAt: now,
        email: source?.email ?? (isFullEmail(row.email) ? row.email : ''),
        ...(source && {
          server: source.server,
          port: source.port,
          tlsMode: source.tlsMode,
          username: source.username,
          settingsSource: 'source',
          settingsFoundAt: now,
        }),
      },
    });
  }
  const flow = await db.connectFlow.findUniqueOrThrow({ where: { tokenId: row.id } });
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

/** Step "who": the mailbox address and names, then its settings by discovery. */
export async function saveIdentity(
  db: Db,
  row: ConnectPageRow,
  input: IdentityInput,
  deps: ConnectFlowDeps,
  now: Date,
): Promise<void> {
  await db.connectFlow.update({
    where: { tokenId: row.id },
    data: {
      email: input.email,
      firstName: row.firstNameHidden ? '' : (input.firstName ?? ''),
      lastName: row.lastNameHidden ? '' : (input.lastName ?? ''),
      server: '',
      lastError: '',
    },
  });
  await applyDiscovery(db, row.id, input.email, deps, now);
}

export type SignInResult = { ok: true; redirectUrl: string } | { ok: false; error: string; message?: string };

/** Adds `contextio_token` (and any extra parameters) to the partner's URL, keeping its own query. */
export function partnerReturnUrl(callbackUrl: string, token: string, extra: Record<string, string> = {}): string {
  const url = new URL(callbackUrl);
  url.searchParams.set('contextio_token', token);
  for (const [name, value] of Object.entries(extra)) url.searchParams.set(name, value);
  return url.toString();
}

/** Which limit stopped a sign-in, as the code the page turns into a message. */
const LIMIT_ERRORS: Partial<Record<RateLimitName, string>> = {
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
const PASSWORD_NEVER_SENT = new Set(['unknown_host', 'connection_refused', 'private_address']);

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
  const flow = await db.connectFlow.findUnique({ where: { tokenId: row.id } });
  if (!flow?.email) return { ok: false, error: 'missing_identity' };
  const claim = await claimAttempt(
    db,
    [
      { limit: RATE_LIMITS.connectToken, subject: row.id },
      { limit: RATE_LIMITS.connectMailbox, subject: mailboxSubject(input.server, input.username) },
      { limit: RATE_LIMITS.connectAddress, subject: clientAddressBucket(clientAddress) },
    ],
    now,
  );
  if (!claim.ok) {
    const error = LIMIT_ERRORS[claim.limit] ?? 'rate_limited';
    await db.connectFlow.update({ where: { tokenId: row.id }, data: { lastError: error } });
    return { ok: false, error };
  }

  const settings = { server: input.server, port: input.port, tlsMode: input.tlsMode, username: input.username };
  await db.connectFlow.update({ where: { tokenId: row.id }, data: { ...settings, lastError: '' } });

  const check = await deps.verify({ ...settings, password: input.password });
  if (!check.ok) {
    if (PASSWORD_NEVER_SENT.has(check.failure)) await releaseAttempt(db, claim.held);
    await db.connectFlow.update({ where: { tokenId: row.id }, data: { lastError: check.failure } });
    return { ok: false, error: check.failure, message: check.message };
  }
  // The right password: this attempt was no guess, so it fills no counter.
  await releaseAttempt(db, claim.held);

  const redeemed = await redeemConnectToken(
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
    now,
  );
  if (!redeemed.ok) {
    if (redeemed.reason !== 'already_used') {
      await db.connectFlow.update({ where: { tokenId: row.id }, data: { lastError: redeemed.reason } });
    }
    return { ok: false, error: redeemed.reason };
  }
  try {
    await deps.startSync(redeemed.sourceId);
  } catch (error) {
    // The source exists and the end user is done: housekeeping queues the missing sync
    // (queueMissingSyncs). Only the error's kind is logged; the sign-in input never is.
    const reason = error instanceof Error ? `${error.name}: ${error.message.slice(0, 200)}` : 'unknown error';
    console.error(
      `connect flow: queuing the sync of source ${redeemed.sourceId} failed (${reason}); housekeeping retries`,
    );
  }
  return { ok: true, redirectUrl: partnerReturnUrl(redeemed.callbackUrl, row.id) };
}

export async function recordCancel(db: Db, tokenId: string, now: Date): Promise<void> {
  await db.connectFlow.updateMany({ where: { tokenId }, data: { cancelledAt: now } });
}

/** The last problem to show the end user: a code, or a field error as JSON. Never a secret. */
export async function setFlowError(db: Db, tokenId: string, error: string): Promise<void> {
  await db.connectFlow.updateMany({ where: { tokenId }, data: { lastError: error } });
}
