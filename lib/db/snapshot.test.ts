import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { developerIdsByEmail, snapshotTables } from './snapshot';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from './testing';

/** The bad-input suites' "stores nothing" check must see a change to a developer's rows, and only theirs. */
describe.each(testDatabaseKinds())('stored-data snapshots on %s', (kind) => {
  let database: TestDatabase;
  let mine: string;
  let theirs: string;
  let myAccount: string;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    mine = (await createDeveloperKey(database.db, { email: 'mine@example.com', appName: 'Mine' })).developerId;
    theirs = (await createDeveloperKey(database.db, { email: 'theirs@example.com', appName: 'Theirs' })).developerId;
    myAccount = (await connectLocalMailbox(database.db, mine, { email: 'a@example.com', password: 'x', port: 1 }))
      .accountId;
    await connectLocalMailbox(database.db, theirs, { email: 'b@example.com', password: 'x', port: 1 });
  });
  afterAll(async () => {
    await database?.close();
  });

  it('sees a change to a row two keys away from the developer, and not another developer’s', async () => {
    const before = await snapshotTables(database.db, [mine]);
    expect(before.sources?.rows).toBe(1);
    expect(before).not.toHaveProperty('oauth_nonces');

    await database.db.source.updateMany({
      where: { account: { developerId: theirs } },
      data: { syncAllFolders: true },
    });
    expect(await snapshotTables(database.db, [mine])).toEqual(before);

    await database.db.source.updateMany({ where: { accountId: myAccount }, data: { syncAllFolders: true } });
    const after = await snapshotTables(database.db, [mine]);
    expect(after.sources?.checksum).not.toBe(before.sources?.checksum);
    expect({ ...after, sources: before.sources }).toEqual(before);
  });

  it('finds developers by email and sums every row without a scope', async () => {
    expect(await developerIdsByEmail(database.db, ['mine@example.com', 'nobody@example.com'])).toEqual([mine]);
    expect((await snapshotTables(database.db)).developers?.rows).toBe(2);
  });
});
