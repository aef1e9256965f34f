import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { attemptCallbackDelivery } from './mutations';

/**
 * Issue 16.4, SSRF at delivery time: a callback URL whose *name* resolves to a
 * private address (checked when the callback is sent, not only when the URL was
 * given: DNS can change in between) is refused without a request, and a
 * receiver's redirect is never followed (the target gets nothing).
 */

describe.each(testDatabaseKinds())('callback SSRF refusals on %s', (kind) => {
  let database: TestDatabase;
  let sourceId: string;
  let receiver: Server;
  let port: number;
  const received: string[] = [];

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    receiver = createServer((request, response) => {
      received.push(request.url ?? '');
      if (request.url === '/redirect') {
        response.writeHead(307, { location: `http://127.0.0.1:${port}/redirect-target` }).end();
      } else response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as { port: number }).port;
    const { developerId } = await createDeveloperKey(database.db, { email: `ssrf-${kind}@example.com`, appName: 'S' });
    ({ sourceId } = await connectLocalMailbox(database.db, developerId, {
      email: 'ssrf@example.com',
      password: 'x',
      port: 1,
    }));
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver?.close(resolve));
    await database?.close();
  });

  async function attempt(id: string, url: string, allowPrivateHosts: boolean) {
    await database.db.callbackDelivery.create({
      data: { id: `${id}-${kind}`, sourceId, url, event: 'status_changed', body: {} },
    });
    const outcome = await attemptCallbackDelivery(database.db, `${id}-${kind}`, {
      allowPrivateHosts,
      isLastAttempt: false,
      now: () => new Date(),
    });
    const attempts = await database.db.callbackAttempt.findMany({ where: { deliveryId: `${id}-${kind}` } });
    return { outcome, attempts };
  }

  it('refuses a name that resolves to loopback, without sending anything', async () => {
    const { outcome, attempts } = await attempt('by-name', `http://localhost:${port}/by-name`, false);
    expect(outcome).toMatchObject({ kind: 'failed', retryable: false });
    expect(attempts.map((row) => row.error)).toEqual(['refused: private or local address']);
    expect(received).not.toContain('/by-name');
  });

  it('does not follow a redirect: the attempt fails and the target receives nothing', async () => {
    // Private hosts allowed, so the receiver itself is reachable; the redirect target must still not be.
    const { outcome, attempts } = await attempt('redirect', `http://127.0.0.1:${port}/redirect`, true);
    expect(outcome).toMatchObject({ kind: 'failed', retryable: true });
    expect(attempts.map((row) => row.statusCode)).toEqual([307]);
    expect(received).toEqual(['/redirect']);
  });
});
