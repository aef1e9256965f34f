import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DovecotServer, startDovecot } from '@/e2e/fixtures/dovecot';
import { bulkMessages, PREPARED, prepareMailbox } from '@/e2e/fixtures/mailbox';
import { findAccount } from '@/lib/accounts/data';
import { isValidCallbackSignature } from '@/lib/callbacks/schema';
import { connectLocalMailbox } from '@/lib/connect-tokens/testing';
import { openTestDatabase, type TestDatabase, testDatabaseKinds } from '@/lib/db/testing';
import { createDeveloperKey } from '@/lib/developers/mutations';
import { listFiles } from '@/lib/files/data';
import { openJobQueue } from '@/lib/jobs/queue';
import { countSyncedData, listMessages } from '@/lib/messages/data';
import { serializeMessage } from '@/lib/messages/serialize';
import { findSource } from '@/lib/sources/data';
import { listSourceFolders } from './data';
import { openMailboxSession } from './imap';
import { runSourceSync, type SyncRunOptions } from './run';
import { serializeFolder, serializeSourceSync } from './serialize';

/** The initial sync against a real Dovecot holding a prepared mailbox, on PGlite and PostgreSQL. */

const PASSWORD = 'sync-test-password';
let dovecot: DovecotServer;

beforeAll(async () => {
  dovecot = await startDovecot();
  await dovecot.addUser('prepared@mailport.test', PASSWORD);
  // Every user up front: Dovecot may not notice a passwd file changed twice within one second.
  for (const kind of testDatabaseKinds()) await dovecot.addUser(`bulk-${kind}@mailport.test`, PASSWORD);
  await prepareMailbox(dovecot, 'prepared@mailport.test');
});
afterAll(async () => {
  await dovecot?.stop();
});

describe.each(testDatabaseKinds())('mailbox sync on %s', (kind) => {
  let database: TestDatabase;
  let queue: Awaited<ReturnType<typeof openJobQueue>>;
  let developer: { developerId: string; secret: string };
  const now = new Date();

  beforeAll(async () => {
    database = await openTestDatabase(kind);
    queue = await openJobQueue(database, { supervise: false });
    const key = await createDeveloperKey(database.db, { email: `sync-${kind}@example.com`, appName: 'Sync' });
    developer = { developerId: key.developerId, secret: key.secret };
  });
  afterAll(async () => {
    await queue?.stop({ graceful: false, close: true, wait: true });
    await database?.close();
  });

  /** A source on the Dovecot user, connected through a token with these options. */
  const connectSource = (options: Record<string, string> = {}, user = 'prepared@mailport.test', password = PASSWORD) =>
    connectLocalMailbox(
      database.db,
      developer.developerId,
      { email: user.includes('@') ? user : `${user}@mailport.test`, username: user, password, port: dovecot.port },
      options,
      now,
    );

  const runOptions = (overrides: Partial<SyncRunOptions> = {}): SyncRunOptions => ({
    openSession: (login) => openMailboxSession(login, { allowPrivateHosts: true }),
    now: () => new Date(),
    budgetMs: 60_000,
    isLastAttempt: false,
    ...overrides,
  });

  /** The developer's own rows, as the API's scope lookup would hand them to the read functions. */
  const ownedAccount = async (accountId: string) =>
    (await findAccount(database.db, developer.developerId, accountId)) ?? expect.unreachable('account');
  const ownedSource = async (source: { accountId: string; sourceLabel: string }) =>
    (await findSource(database.db, developer.developerId, source.accountId, source.sourceLabel)) ??
    expect.unreachable('source');

  const subjectsOf = async (accountId: string, extra: Record<string, unknown> = {}) =>
    (await listMessages(database.db, await ownedAccount(accountId), { limit: 100, offset: 0, ...extra }))
      .map((row) => row.subject)
      .sort();

  it('by default skips special folders, flags and signature images, then tells the partner', async () => {
    const source = await connectSource({ source_callback_url: 'https://partner.example.com/synced' });
    const result = await runSourceSync(database.db, source.sourceId, runOptions());
    expect(result).toEqual({ outcome: 'done', messagesStored: 5 });

    const folders = (await listSourceFolders(database.db, await ownedSource(source))).map(serializeFolder);
    const included = folders.filter((folder) => folder.included_in_sync).map((folder) => folder.name);
    expect(included.sort()).toEqual([...PREPARED.defaultFolders].sort());
    for (const name of PREPARED.skippedFolders) {
      expect(folders.find((folder) => folder.name === name)?.included_in_sync, name).toBe(false);
    }
    expect(folders.find((folder) => folder.name === 'Trash')?.symbolic_name).toBe('\\Trash');
    expect(folders.find((folder) => folder.name === 'INBOX')?.nb_messages).toBe(4);

    const sync = serializeSourceSync(await listSourceFolders(database.db, await ownedSource(source)));
    expect(Object.keys(sync).sort()).toEqual([...PREPARED.defaultFolders].sort());
    expect(sync.INBOX?.initial_import_finished).toBe(true);

    // \Deleted messages stay visible while source_expunge_on_deleted_flag is 0.
    expect(await subjectsOf(source.accountId)).toEqual([...PREPARED.inboxSubjects, ...PREPARED.alphaSubjects].sort());
    const messages = await listMessages(database.db, await ownedAccount(source.accountId), { limit: 100, offset: 0 });
    const reply = messages.find((row) => row.subject === 'Re: Welcome');
    const welcome = messages.find((row) => row.subject === 'Welcome');
    expect(reply?.flags).toEqual([]);
    expect(reply?.threadId).toBe(welcome?.threadId);
    expect(messages.find((row) => row.subject === 'Quarterly report')?.threadId).not.toBe(welcome?.threadId);
    const json = serializeMessage(reply!, 'https://m.example', { includeFlags: true });
    expect(json.addresses.from).toEqual({ email: 'bob@example.org', name: 'Bob' });
    expect(json.addresses.cc).toEqual([{ email: 'alice@example.org', name: 'Alice' }]);
    expect(json.email_message_id).toBe('<reply@test>');
    expect(json.folders).toEqual(['INBOX']);
    expect(json.files.map((file) => file.file_name)).toEqual(['report.pdf']);

    const files = await listFiles(database.db, await ownedAccount(source.accountId), { limit: 100, offset: 0 });
    expect(files.map((file) => file.fileName).sort()).toEqual([...PREPARED.defaultFiles].sort());
    const pdf = files.find((file) => file.fileName === 'report.pdf');
    expect(pdf?.contentType).toBe('application/pdf');
    expect(Math.abs((pdf?.size ?? 0) - 40_000)).toBeLessThan(100);
    expect(files.find((file) => file.fileName === 'chart.png')?.isEmbedded).toBe(true);

    const counts = await countSyncedData(database.db, [await ownedAccount(source.accountId)]);
    expect(counts.get(source.accountId)).toEqual({ nbMessages: 5, nbFiles: 3 });

    const state = await database.db.sourceSync.findUniqueOrThrow({ where: { sourceId: source.sourceId } });
    expect(state).toMatchObject({ state: 'done', foldersTotal: 3, foldersDone: 3, messagesSynced: 5 });
    expect(state.initialSyncDoneAt).not.toBeNull();

    const deliveries = await database.db.callbackDelivery.findMany({ where: { sourceId: source.sourceId } });
    expect(deliveries).toHaveLength(1);
    const body = deliveries[0]?.body as Record<string, unknown>;
    expect(body).toMatchObject({
      account_id: source.accountId,
      label: source.sourceLabel,
      connect_token: source.token,
      event: 'initial_sync_completed',
      status: 'OK',
      failure_message: '',
    });
    expect(isValidCallbackSignature(developer.secret, body as never)).toBe(true);

    // A second run finds nothing new and does not call back again.
    expect(await runSourceSync(database.db, source.sourceId, runOptions())).toEqual({
      outcome: 'done',
      messagesStored: 0,
    });
    expect(await database.db.callbackDelivery.count({ where: { sourceId: source.sourceId } })).toBe(1);
  });

  it('with every option on: all folders, flags, every file, \\Deleted hidden', async () => {
    const source = await connectSource({
      source_sync_all_folders: '1',
      source_sync_flags: '1',
      source_raw_file_list: '1',
      source_expunge_on_deleted_flag: '1',
    });
    const result = await runSourceSync(database.db, source.sourceId, runOptions());
    expect(result.outcome).toBe('done');
    const folders = await listSourceFolders(database.db, await ownedSource(source));
    for (const name of [...PREPARED.defaultFolders, ...PREPARED.skippedFolders]) {
      expect(folders.find((folder) => folder.name === name)?.includedInSync, name).toBe(true);
    }
    const subjects = await subjectsOf(source.accountId);
    expect(subjects).toEqual(
      [
        ...PREPARED.inboxSubjects.filter((subject) => !subject.includes('deleted')),
        ...PREPARED.alphaSubjects,
        ...Object.values(PREPARED.specialSubjects),
      ].sort(),
    );
    const messages = await listMessages(database.db, await ownedAccount(source.accountId), { limit: 100, offset: 0 });
    expect(messages.find((row) => row.subject === 'Re: Welcome')?.flags.sort()).toEqual(['\\Flagged', '\\Seen']);
    expect(messages.find((row) => row.subject === 'Welcome')?.flags).toEqual(['\\Seen']);
    expect(messages.find((row) => row.subject === 'Quarterly report')?.flags).toEqual([]);
    const files = await listFiles(database.db, await ownedAccount(source.accountId), { limit: 100, offset: 0 });
    expect(files.map((file) => file.fileName).sort()).toEqual(
      [...PREPARED.defaultFiles, PREPARED.signatureImage].sort(),
    );
    expect(files.find((file) => file.fileName === PREPARED.signatureImage)?.isEmbedded).toBe(true);

    // Turning expunge-on-deleted off (POST …/sources/:label) shows the message again at once.
    await database.db.source.update({ where: { id: source.sourceId }, data: { expungeOnDeletedFlag: false } });
    expect(await subjectsOf(source.accountId)).toContain('Old news (deleted)');
  });

  it('source_sync_folders keeps the named special folders only', async () => {
    const source = await connectSource({ source_sync_folders: 'Trash, spam' });
    await runSourceSync(database.db, source.sourceId, runOptions());
    const included = (await listSourceFolders(database.db, await ownedSource(source)))
      .filter((folder) => folder.includedInSync)
      .map((folder) => folder.name)
      .sort();
    expect(included).toEqual([...PREPARED.defaultFolders, 'Junk', 'Trash', 'Trash/Old'].sort());
    expect(await subjectsOf(source.accountId, { folder: 'Trash' })).toEqual(['Thrown away']);
    expect(await subjectsOf(source.accountId, { folder: 'Drafts' })).toEqual([]);
  });

  it('resumes after a run dies mid-folder: nothing lost, nothing doubled, new mail picked up', async () => {
    const user = `bulk-${kind}@mailport.test`;
    await dovecot.appendMessages(user, 'INBOX', bulkMessages(23));
    const source = await connectSource({}, user);

    // The run "dies" right after its second batch was committed.
    let batches = 0;
    const dying = runOptions({
      batchSize: 5,
      onBatch: () => {
        batches += 1;
        if (batches === 2) throw new Error('killed');
      },
    });
    const first = await runSourceSync(database.db, source.sourceId, dying);
    expect(first).toMatchObject({ outcome: 'retry' });
    const inbox = await database.db.sourceFolder.findFirstOrThrow({
      where: { sourceId: source.sourceId, name: 'INBOX' },
    });
    expect(inbox.highestUid).toBe(10n);
    expect(await database.db.message.count({ where: { sourceId: source.sourceId } })).toBe(10);

    // A run whose budget is spent stops between batches and asks to continue.
    const short = await runSourceSync(database.db, source.sourceId, runOptions({ batchSize: 5, budgetMs: 0 }));
    expect(short.outcome).toBe('continue');

    const resumed = await runSourceSync(database.db, source.sourceId, runOptions({ batchSize: 5 }));
    expect(resumed.outcome).toBe('done');
    const rows = await database.db.message.findMany({ where: { sourceId: source.sourceId }, select: { uid: true } });
    expect(rows.map((row) => Number(row.uid)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 23 }, (_, i) => i + 1),
    );
    const state = await database.db.sourceSync.findUniqueOrThrow({ where: { sourceId: source.sourceId } });
    expect(state.messagesSynced).toBe(23);

    await dovecot.appendMessages(user, 'INBOX', bulkMessages(2, 'late'));
    expect(await runSourceSync(database.db, source.sourceId, runOptions())).toEqual({
      outcome: 'done',
      messagesStored: 2,
    });
    expect(await database.db.message.count({ where: { sourceId: source.sourceId } })).toBe(25);
  });

  it('a refused password marks the source INVALID_CREDENTIALS and tells status_callback_url', async () => {
    const source = await connectSource(
      { status_callback_url: 'https://partner.example.com/status' },
      'prepared@mailport.test',
      'wrong password',
    );
    const result = await runSourceSync(database.db, source.sourceId, runOptions());
    expect(result).toEqual({ outcome: 'failed', reason: 'auth_failed' });
    const row = await database.db.source.findUniqueOrThrow({ where: { id: source.sourceId } });
    expect(row.status).toBe('INVALID_CREDENTIALS');
    const deliveries = await database.db.callbackDelivery.findMany({ where: { sourceId: source.sourceId } });
    expect(deliveries.map((delivery) => (delivery.body as { event: string; status: string }).status)).toEqual([
      'INVALID_CREDENTIALS',
    ]);
    expect(deliveries[0]?.url).toBe('https://partner.example.com/status');
  });
});
