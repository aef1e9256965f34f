import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { plainMessage } from '@/e2e/fixtures/mailbox';
import {
  type OAuthServer,
  REFRESH_BEHAVIOURS,
  type RefreshHoldPoint,
  type StandInProvider,
  startOAuthServer,
  testClientId,
} from '@/e2e/fixtures/oauth-server';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { decryptSecret } from '@/lib/crypto/secrets';
import { openTestDatabase, type TestDatabase } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { getConfig, resetConfigForTests } from '@/lib/env';
import { jobPolicies } from '@/lib/jobs/definitions';
import { openJobQueue } from '@/lib/jobs/queue';
import { queueSourceSync } from '@/lib/mailbox-sync/mutations';
import { syncLocalMailbox } from '@/lib/mailbox-sync/testing';
import { createOAuthProvider } from '@/lib/oauth-providers/mutations';
import { loginForSource, sourceLoginSelect } from '@/lib/sources/data';
import { postgresWorkers, waitUntil } from '@/scripts/testing';
import { maintenanceInterval } from './start';

/**
 * `npm run worker` processes and OAuth2 sources on PostgreSQL (issue 16): a
 * worker is SIGKILLed while it refreshes an expired access token, with the
 * stand-in provider holding the refresh (before it issued anything, or after it
 * issued new tokens that Mailport never got to store); another worker resumes.
 * What the source ends as depends on the provider: Google (no rotation) and
 * Microsoft (rotation; the redeemed refresh token keeps working) lose nothing;
 * a provider that refuses a rotated-away refresh token at once has really
 * killed the grant, and the source says so (INVALID_CREDENTIALS, status callback).
 * Also: the new tokens' UPDATE already sent when the worker dies, a live source
 * taken over by another worker, and two processes refreshing one grant at once.
 */

/** A killed worker's sync job is taken for crashed after 6 s, then retried 2-4 s later. */
const SYNC_JOB_TIMEOUT_SECONDS = 6;
const LEASE_SECONDS = 4;
const MESSAGES = 3;
const hasPostgres = !!process.env.MAILPORT_TEST_DATABASE_URL;

const MAILBOXES = ['before', 'google', 'microsoft', 'strict', 'stored', 'live', 'race'];
const address = (name: string) => `${name}-refresh@outlook.com`;

const message = (id: string, subject: string) => plainMessage(id, subject, 'Jane <jane@outlook.com>');

/**
 * The scenarios come in two parts, one test file each, so that vitest runs them side by side:
 * each waits out pg-boss's crash detection (about 10 s) once or twice per test.
 */
export type OAuthWorkerKillPart = 'sync' | 'stored-and-live';

export function describeOAuthWorkerKills(part: OAuthWorkerKillPart): void {
  describe.skipIf(!hasPostgres)(`a worker SIGKILLed during an OAuth token refresh, on PostgreSQL (${part})`, () => {
    let authServer: OAuthServer;
    let dovecot: DovecotServer;
    let database: TestDatabase;
    let receiver: Server;
    let statusUrl: string;
    /** The status callbacks the receiver got (each source has its own account here). */
    const statusCallbacks: { accountId: string; status: string; previousStatus: string }[] = [];
    const callbacksOf = (source: { accountId: string }) =>
      statusCallbacks.filter((callback) => callback.accountId === source.accountId);
    let developerId: string;
    const providerIds: Partial<Record<StandInProvider, string>> = {};
    const clientIds = { google: testClientId(), microsoft: testClientId() };
    let workers: Awaited<ReturnType<typeof postgresWorkers>>;
    const savedEnv = { ...process.env };

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        let text = '';
        request.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        request.on('end', () => {
          const { account_id: accountId, status, previous_status: previousStatus } = JSON.parse(text);
          statusCallbacks.push({ accountId, status, previousStatus });
          response.writeHead(200).end('ok');
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      statusUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/status`;
      authServer = await startOAuthServer();
      // IDLE through inotify may be out of instances on a busy machine: re-check every second then.
      dovecot = await startDovecot({
        oauth2IntrospectionUrl: authServer.introspectionUrl,
        extraConfig: 'mailbox_idle_check_interval = 1 secs',
      });
      // Every user up front: Dovecot may not see a passwd-file written again within the same second.
      for (const name of MAILBOXES) await dovecot.addUser(address(name), 'seed-only-password');
      // The process that queues a sync has the workers' setting: a job carries its sender's timeout.
      Object.assign(process.env, authServer.env(), {
        MAILPORT_SYNC_JOB_TIMEOUT_SECONDS: String(SYNC_JOB_TIMEOUT_SECONDS),
      });
      resetConfigForTests();
      database = await openTestDatabase('postgres');
      workers = await postgresWorkers(database, {
        MAILPORT_LIVE_LEASE_SECONDS: String(LEASE_SECONDS),
        // A live source logs in afresh (and so refreshes an expired token) at every poll.
        MAILPORT_POLL_SECONDS: '2',
      });
      ({ developerId } = await createDeveloperKey(database.db, { email: 'oauth-kill@example.com', appName: 'Kill' }));
      for (const [provider, type] of [
        ['google', 'GMAIL_OAUTH2'],
        ['microsoft', 'MSLIVECONNECT'],
      ] as const) {
        authServer.registerClient(clientIds[provider], 'client-secret-for-tests');
        await createOAuthProvider(
          database.db,
          developerId,
          { type, provider_consumer_key: clientIds[provider], provider_consumer_secret: 'client-secret-for-tests' },
          new Date(),
        );
        const row = await database.db.oAuthProvider.findFirstOrThrow({
          where: { developerId, consumerKey: clientIds[provider] },
          select: { id: true },
        });
        providerIds[provider] = row.id;
      }
    }, 60_000);

    // Each test starts from no worker (its first worker must be the one to pick its job up).
    afterEach(() => workers?.stopAll(), 30_000);

    afterAll(async () => {
      await workers?.stopAll();
      await database?.close();
      await Promise.all([dovecot?.stop(), authServer?.stop()]);
      receiver?.closeAllConnections();
      await new Promise((resolve) => receiver?.close(resolve));
      workers?.remove();
      process.env = savedEnv;
      resetConfigForTests();
    });

    const startWorker = () => workers.start();
    const kill = (worker: ChildProcess) => workers.kill(worker);
    const waitFor = <T>(what: string, read: () => Promise<T> | T, done: (value: T) => boolean, timeoutMs = 30_000) =>
      waitUntil(what, read, done, {
        timeoutMs,
        report: () => `${workers.describe()}\nprovider: ${JSON.stringify(authServer.stats())}`,
      });

    /** An OAuth2 source with mail, whose access token has lapsed (at the provider and in our record). */
    async function expiredSource(name: string, provider: StandInProvider) {
      const email = address(name);
      for (let i = 0; i < MESSAGES; i++) await dovecot.deliverMessage(email, 'INBOX', message(`${name}-${i}`, `${i}`));
      const clientId = clientIds[provider];
      const grant = authServer.issueGrant(provider, clientId, email);
      authServer.expireAccessTokens(email);
      const source = await connectLocalMailbox(
        database.db,
        developerId,
        {
          email,
          port: dovecot.port,
          oauth: { providerId: providerIds[provider]!, ...grant, accessTokenExpiresAt: new Date(Date.now() - 60_000) },
        },
        { status_callback_url: statusUrl },
      );
      return { ...source, email, refreshToken: grant.refreshToken };
    }

    const sourceRow = (sourceId: string) =>
      database.db.source.findUniqueOrThrow({
        where: { id: sourceId },
        select: {
          status: true,
          statusMessage: true,
          credentialCiphertext: true,
          accessTokenCiphertext: true,
          accessTokenExpiresAt: true,
        },
      });
    const syncRow = (sourceId: string) => database.db.sourceSync.findUnique({ where: { sourceId } });

    /**
     * Queues the source's sync, starts a worker, lets its refresh reach the provider and be
     * held at `point`, and SIGKILLs it there. Returns when the held request's client is gone.
     */
    async function killDuringSyncRefresh(sourceId: string, point: RefreshHoldPoint) {
      await queueSync(sourceId);
      const before = authServer.stats();
      authServer.holdNextRefresh(point);
      const first = startWorker();
      await waitFor('the refresh to reach the provider', authServer.stats, (stats) => stats.heldRefreshes === 1);
      await kill(first);
      const killedAt = Date.now();
      // The held request's connection closes with the process: it will never be answered.
      await waitFor('the provider to see the client gone', authServer.stats, (stats) => stats.heldRefreshes === 0);
      const atKill = authServer.stats();
      expect(atKill.abandonedRefreshes).toBe(before.abandonedRefreshes + 1);
      expect(atKill.refreshes).toBe(before.refreshes + (point === 'after_issuing' ? 1 : 0));
      expect(await database.db.message.count({ where: { sourceId } })).toBe(0);
      return { before, killedAt };
    }

    /**
     * How long a killed worker's sync may take to be resumed: pg-boss takes the job for
     * crashed once it ran the job timeout (checked every maintenance interval), retries it
     * after retryDelay·[1, 2), and a worker polls every second; 5 s for starting the second
     * worker and the sync itself on a busy 2-core machine.
     */
    function resumeBoundMs(): number {
      const policy = jobPolicies()['source-sync'];
      const seconds = SYNC_JOB_TIMEOUT_SECONDS + maintenanceInterval(getConfig()) + 2 * policy.retryDelay + 1 + 5;
      return seconds * 1000;
    }

    /** Queued as the app would, with no worker running yet. */
    async function queueSync(sourceId: string) {
      const queue = await openJobQueue(database, { supervise: false });
      await queueSourceSync(database.db, sourceId);
      await queue.stop({ graceful: false, close: true, wait: true });
    }

    /** Starts another worker and waits for the retried sync to end in `state`; how long after `since`. */
    async function resumeSync(sourceId: string, state: 'done' | 'failed', since: number) {
      startWorker();
      const row = await waitFor(
        `the retried sync (${state})`,
        () => syncRow(sourceId),
        (sync) => sync?.state === state,
      );
      return { sync: row!, ms: Date.now() - since };
    }

    /** The mailbox is stored exactly once. */
    async function expectStoredOnce(sourceId: string) {
      const rows = await database.db.message.findMany({ where: { sourceId }, select: { uid: true } });
      expect(rows).toHaveLength(MESSAGES);
      expect(new Set(rows.map((row) => Number(row.uid))).size).toBe(MESSAGES);
    }

    if (part === 'sync') {
      it('killed before the provider answered: the retried sync refreshes once and stores the mail once; still OK', async () => {
        authServer.configure(REFRESH_BEHAVIOURS.strict);
        const source = await expiredSource('before', 'microsoft');
        const { before, killedAt } = await killDuringSyncRefresh(source.sourceId, 'before_issuing');

        const { sync: done, ms: resumedMs } = await resumeSync(source.sourceId, 'done', killedAt);
        expect(done?.messagesSynced).toBe(MESSAGES);
        await expectStoredOnce(source.sourceId);
        // The provider never saw the first refresh: one refresh in all, by the second worker.
        const after = authServer.stats();
        expect(after.refreshes).toBe(before.refreshes + 1);
        expect(after.tokenRequests).toBe(before.tokenRequests + 1);
        const row = await sourceRow(source.sourceId);
        expect(row.status).toBe('OK');
        expect(decryptSecret(row.credentialCiphertext)).not.toBe(source.refreshToken);
        expect(row.accessTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 30 * 60_000);
        expect(resumedMs).toBeLessThan(resumeBoundMs());
        console.log(`killed before the provider answered: resumed and done ${resumedMs} ms after the kill`);
      }, 45_000);
    }

    // The provider issued new tokens (and rotated the refresh token where it does) that died with the worker.
    if (part === 'sync') {
      it.each([
        { name: 'google', why: 'the same refresh token works again' },
        { name: 'microsoft', why: 'the redeemed refresh token still works' },
      ] as const)(
        'killed after the provider issued new tokens ($name: $why): the retried sync refreshes again, stores the mail once; still OK',
        async ({ name }) => {
          authServer.configure(REFRESH_BEHAVIOURS[name]);
          const source = await expiredSource(name, name);
          const { before, killedAt } = await killDuringSyncRefresh(source.sourceId, 'after_issuing');

          const { sync: done, ms: resumedMs } = await resumeSync(source.sourceId, 'done', killedAt);
          expect(done?.messagesSynced).toBe(MESSAGES);
          await expectStoredOnce(source.sourceId);
          // Two refreshes: the lost one and the second worker's, one at a time.
          const after = authServer.stats();
          expect(after.refreshes).toBe(before.refreshes + 2);
          expect(after.tokenRequests).toBe(before.tokenRequests + 2);
          const row = await sourceRow(source.sourceId);
          expect(row.status).toBe('OK');
          const stored = decryptSecret(row.credentialCiphertext);
          if (name === 'google') expect(stored).toBe(source.refreshToken);
          else expect(stored).not.toBe(source.refreshToken);
          expect(callbacksOf(source)).toEqual([]);
          expect(resumedMs).toBeLessThan(resumeBoundMs());
          console.log(`killed after the provider issued (${name}): resumed and done ${resumedMs} ms after the kill`);
        },
        45_000,
      );
    }

    if (part === 'stored-and-live') {
      it('killed after a provider that refuses a rotated-away refresh token issued new tokens: INVALID_CREDENTIALS once, with its status callback', async () => {
        authServer.configure(REFRESH_BEHAVIOURS.strict);
        const source = await expiredSource('strict', 'microsoft');
        const { before, killedAt } = await killDuringSyncRefresh(source.sourceId, 'after_issuing');

        const { sync: failed, ms: endedMs } = await resumeSync(source.sourceId, 'failed', killedAt);
        expect(failed?.lastError).toBe('auth_failed');
        const row = await sourceRow(source.sourceId);
        expect(row.status).toBe('INVALID_CREDENTIALS');
        expect(row.statusMessage).toContain('re-connect');
        // The second worker's refresh was refused (the grant's only live refresh token died with the first).
        const after = authServer.stats();
        expect(after.refreshes).toBe(before.refreshes + 1);
        expect(after.tokenRequests).toBe(before.tokenRequests + 2);
        await waitFor(
          'the status callback',
          () => callbacksOf(source).length,
          (count) => count > 0,
        );
        expect(callbacksOf(source)).toEqual([
          { accountId: source.accountId, status: 'INVALID_CREDENTIALS', previousStatus: 'OK' },
        ]);
        expect(await database.db.message.count({ where: { sourceId: source.sourceId } })).toBe(0);
        expect(endedMs).toBeLessThan(resumeBoundMs());
        console.log(`killed after a strict provider issued: INVALID_CREDENTIALS ${endedMs} ms after the kill`);
      }, 45_000);
    }

    if (part === 'stored-and-live') {
      it('killed with the new tokens on their way into PostgreSQL (strict provider): the store completes, the retried sync uses them; still OK', async () => {
        if (database.target.kind !== 'postgres') throw new Error('postgres only');
        authServer.configure(REFRESH_BEHAVIOURS.strict);
        const source = await expiredSource('stored', 'microsoft');
        await queueSync(source.sourceId);
        // The test holds the source's row: the worker's UPDATE storing the new tokens waits for it.
        const blocker = new pg.Client({ connectionString: database.target.connectionString });
        await blocker.connect();
        try {
          await blocker.query('BEGIN');
          await blocker.query('SELECT 1 FROM sources WHERE id = $1 FOR UPDATE', [source.sourceId]);
          const before = authServer.stats();
          const first = startWorker();
          await waitFor(
            'the store of the new tokens to wait for the row',
            // Not through the blocker: its transaction would see one snapshot of pg_stat_activity.
            () => database.db.$queryRaw<{ query: string }[]>`
              SELECT query FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
            (rows) => rows.length === 1 && /UPDATE .*sources.*access_token_ciphertext/is.test(rows[0]!.query),
          );
          expect(authServer.stats().refreshes).toBe(before.refreshes + 1);
          await kill(first);
          const killedAt = Date.now();
          await blocker.query('COMMIT');

          const { sync: done, ms: resumedMs } = await resumeSync(source.sourceId, 'done', killedAt);
          expect(done?.messagesSynced).toBe(MESSAGES);
          await expectStoredOnce(source.sourceId);
          const row = await sourceRow(source.sourceId);
          expect(row.status).toBe('OK');
          // PostgreSQL ran the UPDATE once the row was free, though its client was gone: the new tokens were
          // stored, and the second worker logged in with them, without a refresh of its own.
          expect(decryptSecret(row.credentialCiphertext)).not.toBe(source.refreshToken);
          expect(authServer.stats().tokenRequests).toBe(before.tokenRequests + 1);
          expect(callbacksOf(source)).toEqual([]);
          expect(resumedMs).toBeLessThan(resumeBoundMs());
          console.log(`killed with the store in flight: resumed and done ${resumedMs} ms after the kill`);
        } finally {
          await blocker.end();
        }
      }, 45_000);
    }

    /** An OAuth2 source with one message, synced here with a good token: live from then on. */
    async function liveSource(name: string) {
      const email = address(name);
      await dovecot.deliverMessage(email, 'INBOX', message(`${name}-0`, 'First'));
      const grant = authServer.issueGrant('microsoft', clientIds.microsoft, email);
      const source = await connectLocalMailbox(
        database.db,
        developerId,
        {
          email,
          port: dovecot.port,
          oauth: {
            providerId: providerIds.microsoft!,
            ...grant,
            accessTokenExpiresAt: new Date(Date.now() + 3600_000),
          },
        },
        { status_callback_url: statusUrl },
      );
      const initial = await syncLocalMailbox(database.db, source.sourceId);
      expect(initial.outcome).toBe('done');
      const leases = () => database.db.sourceLease.findMany({ where: { sourceId: source.sourceId } });
      const heldBy = (worker: ChildProcess) => (rows: { ownerId: string }[]) =>
        rows.length === 1 && rows[0]!.ownerId.includes(`:${worker.pid}:`);
      return { source, email, grant, leases, heldBy };
    }

    /**
     * The hour is over while a worker holds the live source: at its next poll (2 s) it logs in
     * afresh and must refresh, and the provider holds that refresh after issuing the new tokens.
     */
    async function expireWhileLive(sourceId: string, email: string) {
      authServer.holdNextRefresh('after_issuing');
      authServer.expireAccessTokens(email);
      await database.db.source.update({
        where: { id: sourceId },
        data: { accessTokenExpiresAt: new Date(Date.now() - 1000) },
      });
      await waitFor('the live refresh to reach the provider', authServer.stats, (stats) => stats.heldRefreshes === 1);
    }

    if (part === 'stored-and-live') {
      it('a live source: killed mid-refresh at a poll, another worker takes the lease over, refreshes and keeps receiving mail', async () => {
        authServer.configure(REFRESH_BEHAVIOURS.microsoft);
        const { source, email, grant, leases, heldBy } = await liveSource('live');
        const first = startWorker();
        await waitFor('the first worker to hold the source', leases, heldBy(first));

        const before = authServer.stats();
        await expireWhileLive(source.sourceId, email);
        await kill(first);
        const killedAt = Date.now();
        await waitFor('the provider to see the client gone', authServer.stats, (stats) => stats.heldRefreshes === 0);
        // Mail while nobody holds the source.
        await dovecot.deliverMessage(email, 'INBOX', message('live-1', 'While dead'));

        const second = startWorker();
        await waitFor('the second worker to take the source over', leases, heldBy(second));
        const takeoverMs = Date.now() - killedAt;
        // The lease runs out, then the next round claims it (a round is at most lease/3).
        expect(takeoverMs).toBeLessThan((LEASE_SECONDS + LEASE_SECONDS / 3 + 5) * 1000);
        const stored = (id: string) => database.db.message.count({ where: { emailMessageId: `<${id}@test>` } });
        const once = (count: number) => count === 1;
        await waitFor('the mail that came while no worker held it', () => stored('live-1'), once);
        await dovecot.deliverMessage(email, 'INBOX', message('live-2', 'After'));
        await waitFor('new mail after the takeover', () => stored('live-2'), once, 15_000);
        for (const id of ['live-0', 'live-1', 'live-2']) expect(await stored(id)).toBe(1);
        expect(await database.db.message.count({ where: { sourceId: source.sourceId } })).toBe(3);

        const row = await sourceRow(source.sourceId);
        expect(row.status).toBe('OK');
        expect(decryptSecret(row.credentialCiphertext)).not.toBe(grant.refreshToken);
        // The lost refresh and the second worker's; its fresh token serves the later polls.
        expect(authServer.stats().refreshes).toBe(before.refreshes + 2);
        expect(callbacksOf(source)).toEqual([]);
        console.log(`live source: taken over ${takeoverMs} ms after the kill`);
      }, 45_000);
    }

    if (part === 'stored-and-live') {
      it('another process refreshes while the worker’s refresh is in flight (strict provider): it takes the worker’s tokens once stored; still OK', async () => {
        authServer.configure(REFRESH_BEHAVIOURS.strict);
        const { source, email, leases, heldBy } = await liveSource('race');
        const worker = startWorker();
        await waitFor('the worker to hold the source', leases, heldBy(worker));
        const before = authServer.stats();
        await expireWhileLive(source.sourceId, email);

        // This process is the app server reading a message's content: it needs a login now, and refreshes too.
        // (With its job queue, as the app has one: a source marked invalid queues its status callback.)
        const queue = await openJobQueue(database, { supervise: false });
        onTestFinished(() => queue.stop({ graceful: false, close: true, wait: true }));
        const row = await database.db.source.findUniqueOrThrow({
          where: { id: source.sourceId },
          select: sourceLoginSelect,
        });
        const login = loginForSource(database.db, row, new Date());
        // Its refresh presents the rotated-away token and is refused; then the worker's answer goes out.
        await waitFor(
          'the second refresh to be refused',
          authServer.stats,
          (stats) => stats.tokenRequests === before.tokenRequests + 2,
        );
        authServer.releaseHeldRefreshes();
        const result = await login;
        if (!result.ok) throw new Error(`no login: ${result.message}`);
        const stored = await sourceRow(source.sourceId);
        // The worker's access token, read back from the row: one grant, one token in use.
        expect(result.login.accessToken).toBe(decryptSecret(stored.accessTokenCiphertext!));
        expect(stored.status).toBe('OK');
        expect(authServer.stats().refreshes).toBe(before.refreshes + 1);

        // The worker carries on with the source.
        await dovecot.deliverMessage(email, 'INBOX', message('race-1', 'After'));
        await waitFor(
          'new mail after the refresh',
          () => database.db.message.count({ where: { emailMessageId: '<race-1@test>' } }),
          (count) => count === 1,
          15_000,
        );
        expect((await sourceRow(source.sourceId)).status).toBe('OK');
        expect(callbacksOf(source)).toEqual([]);
      }, 45_000);
    }
  });
}
