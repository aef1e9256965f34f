import { expect, test } from '@playwright/test';
import { runLoad, SHORT_LOAD } from '../bench/load';
import { testServer } from './fixtures/servers';

/**
 * The short variant of the load and fault run (bench/load.ts; the full one is
 * `npm run bench -- --filter load`): two `npm start` instances and two
 * `npm run worker` processes on a private PostgreSQL, 1,000 token creations from
 * 64 clients, 100 concurrent connect submissions over 10 tokens, 10 live
 * mailboxes receiving mail, while an instance, a worker (mid-sync, then
 * mid-delivery), PostgreSQL and Dovecot are killed or stopped. Once, in the
 * pglite project: it brings its own database and servers.
 */
test('under load and kill -9, nothing acknowledged is lost or doubled, and everything recovers by itself', async ({}, testInfo) => {
  test.skip(
    testServer(testInfo.project.name).name !== 'pglite',
    'it brings its own PostgreSQL and apps: once is enough',
  );
  test.setTimeout(600_000);
  const report = await runLoad({ ...SHORT_LOAD, log: (line) => console.log(`[load] ${line}`) });
  await testInfo.attach('load-report.json', { body: JSON.stringify(report, null, 2), contentType: 'application/json' });

  expect(report.violations).toEqual([]);
  // Each fault really happened where it was meant to.
  expect(report.faults.workerKilledMidSync.syncedAtKill).toBeGreaterThan(0);
  expect(report.faults.workerKilledMidSync.syncedAtKill).toBeLessThan(SHORT_LOAD.bigMailbox);
  expect(report.faults.workerKilledMidDelivery.cutDeliveries).toBeGreaterThan(0);
  expect(report.faults.outage.healthz).toMatch(/^503 retry-after 5, 503 retry-after 5$/);
  expect(report.faults.outage.api).toMatch(/^503 retry-after 5 \{"type":"error","value":"[^"]+"\}$/);
  expect(report.faults.dovecot.firstImpossibleAfterMs).toBeGreaterThanOrEqual(
    report.faults.dovecot.windowSeconds * 1000,
  );
  expect(report.faults.dovecot.burstStoredAtKill).toBeLessThan(SHORT_LOAD.burstMessages);
  // The load itself: every token connected once, every message stored and announced once.
  expect(report.connect.connected).toBeGreaterThanOrEqual(SHORT_LOAD.tokens);
  expect(report.creations.acknowledged).toBeGreaterThanOrEqual(SHORT_LOAD.creations);
  expect(report.mail.stored).toBe(report.mail.delivered);
  expect(report.mail.notified).toBe(report.mail.announcedExpected);
});
