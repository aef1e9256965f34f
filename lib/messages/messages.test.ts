import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccount, type OwnedAccount } from '@/lib/accounts/data';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import type { Prisma } from '@/lib/db/generated/client';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { newRowId } from '@/lib/ids';
import { listMessages, visibleMessageWhere } from './data';
import { type ListMessagesInput, listMessagesInput } from './schema';

/**
 * listMessages is SQL of its own (issue 14: two index-ordered runs instead of a
 * sort of the whole account). Held here to the rule it replaced, written in
 * Prisma's terms: the same ids, in the same order, for every filter and page.
 */
function referenceWhere(accountId: string, input: ListMessagesInput): Prisma.MessageWhereInput {
  const conditions: Prisma.MessageWhereInput[] = [visibleMessageWhere(accountId)];
  if (input.folder) conditions.push({ folder: { name: input.folder } });
  if (input.from) conditions.push({ fromAddresses: { array_contains: [{ email: input.from.toLowerCase() }] } });
  if (input.to) conditions.push({ toAddresses: { array_contains: [{ email: input.to.toLowerCase() }] } });
  if (input.subject) conditions.push({ subject: { contains: input.subject, mode: 'insensitive' } });
  if (input.date_before !== undefined) conditions.push({ date: { lt: new Date(input.date_before * 1000) } });
  if (input.date_after !== undefined) conditions.push({ date: { gt: new Date(input.date_after * 1000) } });
  return { AND: conditions };
}

const DAY = 86_400;
const BASE = 1_700_000_000;

describe.each(testDatabaseKinds())('message list on %s', (kind) => {
  let database: TestDatabase;
  let account: OwnedAccount;
  let other: OwnedAccount;

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    const db = database.db;
    const { developerId } = await createDeveloperKey(db, { email: `reads-${kind}@example.com`, appName: 'Reads' });
    const seedAccount = async (email: string, expunge: boolean) => {
      const { accountId, sourceId } = await connectLocalMailbox(
        db,
        developerId,
        { email, password: 'x', port: 993 },
        expunge ? { source_expunge_on_deleted_flag: '1' } : {},
      );
      const folder = (name: string, includedInSync = true) =>
        db.sourceFolder.create({ data: { id: newRowId(), sourceId, name, includedInSync }, select: { id: true } });
      const inbox = await folder('INBOX');
      const sent = await folder('Sent');
      const hidden = await folder('Junk', false);
      const folders = [inbox.id, inbox.id, sent.id, hidden.id];
      // 90 messages: dates repeat (ties broken by id), 1 in 7 undated, some \Deleted, a few senders.
      await db.message.createMany({
        data: Array.from({ length: 90 }, (_, i) => ({
          id: newRowId().slice(0, 24),
          accountId,
          sourceId,
          folderId: folders[i % folders.length] ?? inbox.id,
          uid: BigInt(i + 1),
          subject: i % 5 === 0 ? `50% off, item_${i}` : `Report ${i} about Travel`,
          date: i % 7 === 3 ? null : new Date((BASE + (i % 30) * DAY) * 1000),
          fromAddresses: [{ email: `sender${i % 4}@example.com`, name: `Sender ${i % 4}` }],
          toAddresses: [{ email: i % 3 === 0 ? 'boss@example.com' : email, name: '' }],
          threadId: `t${i}`,
          isDeleted: i % 11 === 0,
        })),
      });
      const owned = await findAccount(db, developerId, accountId);
      if (!owned) throw new Error('account not found');
      return owned;
    };
    account = await seedAccount('jane@example.com', true);
    other = await seedAccount('jim@example.com', false);
  });
  afterAll(async () => {
    await database?.close();
  });

  const filters: Record<string, string>[] = [
    {},
    { folder: 'Sent' },
    { folder: 'Junk' },
    { from: 'SENDER1@example.com' },
    { to: 'boss@example.com' },
    { subject: 'travel' },
    { subject: 'ITEM' },
    { date_after: String(BASE + 10 * DAY), date_before: String(BASE + 20 * DAY) },
    { date_before: String(BASE + 5 * DAY), from: 'sender2@example.com' },
  ];
  const pages = [
    { limit: '100', offset: '0' },
    { limit: '7', offset: '0' },
    { limit: '7', offset: '35' },
    { limit: '10', offset: '55' },
    { limit: '3', offset: '200' },
  ];

  it('answers what the Prisma rule answers, in the same order, for every filter and page', async () => {
    for (const owned of [account, other]) {
      for (const filter of filters) {
        for (const page of pages) {
          const input = listMessagesInput.parse({ ...filter, ...page });
          const expected = await database.db.message.findMany({
            where: referenceWhere(owned.id, input),
            orderBy: [{ date: { sort: 'desc', nulls: 'last' } }, { id: 'desc' }],
            skip: input.offset,
            take: input.limit,
            select: { id: true },
          });
          const actual = await listMessages(database.db, owned, input);
          expect(
            actual.map((row) => row.id),
            JSON.stringify({ account: owned.id === account.id ? 'expunging' : 'keeping', ...filter, ...page }),
          ).toEqual(expected.map((row) => row.id));
        }
      }
    }
  });

  it("matches the subject text as given: % and _ are no wildcards (Prisma's contains made them ones)", async () => {
    const subjects = async (subject: string) =>
      (await listMessages(database.db, other, listMessagesInput.parse({ subject, limit: '100' }))).map(
        (row) => row.subject,
      );
    const percent = await subjects('0%');
    expect(percent.length).toBeGreaterThan(0);
    expect(percent.every((subject) => subject.includes('0%'))).toBe(true);
    // "Report 10 about Travel" has a 0 followed by something: a wildcard % would have matched it.
    expect(await subjects('t_1')).toEqual([]);
    expect((await subjects('item_1')).every((subject) => subject.includes('item_1'))).toBe(true);
    expect((await subjects('item_1')).length).toBeGreaterThan(0);
  });

  it('reads the row as the serializer needs it: folder, source label, addresses, dates', async () => {
    const [first] = await listMessages(database.db, account, listMessagesInput.parse({ limit: '1' }));
    expect(first).toMatchObject({
      accountId: account.id,
      folder: { name: expect.stringMatching(/^(INBOX|Sent)$/), source: { label: account.sources[0]?.label } },
      fromAddresses: [{ email: expect.stringMatching(/^sender\d@example\.com$/) }],
      files: [],
    });
    expect(first?.date).toBeInstanceOf(Date);
    const undated = await listMessages(database.db, account, listMessagesInput.parse({ limit: '100' }));
    expect(undated.at(-1)?.date).toBeNull();
  });
});
