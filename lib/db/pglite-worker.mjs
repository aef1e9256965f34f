/**
 * The embedded database's own thread (worker_threads), started by
 * pglite-thread.ts. PGlite runs PostgreSQL as WebAssembly on the thread that
 * calls it: on the app's main thread every query stalled every queued request.
 * Here it runs beside the app, which keeps its event loop and can use the
 * second core.
 *
 * Plain JavaScript loaded by path, not bundled: Next.js's server bundle cannot
 * start a worker from one of its own chunks. Values go back as PostgreSQL's
 * text; the calling thread parses them with the caller's parsers (the Prisma
 * adapter's own are functions, which cannot cross threads).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { messages, PGlite } from '@electric-sql/pglite';

const { dataDir, startParams } = workerData;
/** @type {Map<number, { tx: import('@electric-sql/pglite').Transaction | null, done: () => void, finished: Promise<unknown> }>} */
const transactions = new Map();
let pglite;
let raw;

/** Results as plain data: rows of text (null stays null), fields by type oid. */
const plain = (result) => ({
  rows: result.rows,
  fields: result.fields.map((field) => ({ name: field.name, dataTypeID: field.dataTypeID })),
  affectedRows: result.affectedRows,
});

/** An error as plain data; the calling thread rebuilds a DatabaseError from it, so callers see PGlite's kind. */
function plainError(error) {
  if (!(error instanceof Error)) return { message: String(error), isDatabaseError: false };
  const fields = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === 'params' || key === 'queryOptions') continue; // the caller's own values; it has them
    if (value === undefined || typeof value === 'function') continue;
    fields[key] = typeof value === 'object' && value !== null ? String(value) : value;
  }
  return { message: error.message, isDatabaseError: error instanceof messages.DatabaseError, fields };
}

function beginTransaction(id) {
  return new Promise((began, failed) => {
    let done;
    const released = new Promise((resolve) => {
      done = resolve;
    });
    const finished = pglite.transaction(async (tx) => {
      transactions.get(id).tx = tx;
      began();
      await released;
    });
    transactions.set(id, { tx: null, done, finished });
    finished.then(
      () => transactions.delete(id),
      (error) => {
        transactions.delete(id);
        failed(error); // BEGIN itself failed; later failures are the commit's
      },
    );
  });
}

async function endTransaction(id, rollback) {
  const open = transactions.get(id);
  if (!open) throw new Error('Transaction is closed');
  if (rollback && open.tx && !open.tx.closed) await open.tx.rollback();
  open.done();
  await open.finished;
}

async function handle(request) {
  const on = request.tx ? transactions.get(request.tx)?.tx : pglite;
  if (!on) throw new Error(request.tx ? 'Transaction is closed' : 'PGlite is closed');
  switch (request.op) {
    case 'query':
      return plain(await on.query(request.sql, request.params, { rowMode: 'array', parsers: raw }));
    case 'exec':
      return (await on.exec(request.sql, { rowMode: 'array', parsers: raw })).map(plain);
    case 'begin':
      return beginTransaction(request.id);
    case 'commit':
      return endTransaction(request.tx, false);
    case 'rollback':
      return endTransaction(request.tx, true);
    case 'close':
      await pglite.close();
      return undefined;
    default:
      throw new Error(`unknown operation ${request.op}`);
  }
}

try {
  pglite = await PGlite.create({ dataDir, startParams });
  // Every type PGlite would parse (its array types included) comes back as text instead.
  raw = Object.fromEntries(Object.keys(pglite.parsers).map((oid) => [oid, (text) => text]));
  const arrays = await pglite.query(
    `SELECT b.oid, b.typarray FROM pg_catalog.pg_type a LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem
     WHERE a.typcategory = 'A' GROUP BY b.oid, b.typarray ORDER BY b.oid`,
  );
  parentPort.postMessage({ type: 'ready', arrayTypes: arrays.rows });
} catch (error) {
  parentPort.postMessage({ type: 'failed', error: plainError(error) });
}

parentPort.on('message', (request) => {
  handle(request).then(
    (result) => parentPort.postMessage({ id: request.id, ok: true, result }),
    (error) => parentPort.postMessage({ id: request.id, ok: false, error: plainError(error) }),
  );
});
