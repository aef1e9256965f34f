import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PGlite, QueryOptions, Results, Transaction } from '@electric-sql/pglite';
import { projectRoot } from './migrations';

/**
 * The embedded database on a thread of its own (pglite-worker.mjs), behind the
 * part of PGlite's interface Mailport uses: query, exec, transaction, close.
 * The Prisma adapter, the job queue and the migrations take it for a PGlite.
 *
 * Why: PGlite runs PostgreSQL as WebAssembly on the calling thread, so in
 * process every query held up every other request's JavaScript (a third of the
 * main thread under load, event-loop delay p99 0.3–0.8 s; docs/benchmarks.md).
 * One message per query crosses the threads; values come back as PostgreSQL's
 * text and are parsed here, with the caller's parsers as PGlite would.
 */

interface Field {
  name: string;
  dataTypeID: number;
}
interface PlainResults {
  rows: (string | null)[][];
  fields: Field[];
  affectedRows?: number;
}
interface PlainError {
  message: string;
  isDatabaseError: boolean;
  fields?: Record<string, unknown>;
}
type Parser = (text: string, typeId?: number) => unknown;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: PlainError };
type Request =
  | { op: 'query'; sql: string; params?: unknown[]; tx?: number }
  | { op: 'exec'; sql: string; tx?: number }
  | { op: 'begin' | 'close' }
  | { op: 'commit' | 'rollback'; tx: number };

const WORKER_FILE = ['lib', 'db', 'pglite-worker.mjs'];
/**
 * The thread's young generation: its JavaScript is short-lived message passing (rows as text), and
 * V8's default lets it grow to ~48 MiB of mostly garbage in a thread that holds almost nothing
 * (issue 14's memory target; docs/benchmarks.md).
 */
const YOUNG_GENERATION_MB = 6;
const CLOSED_MESSAGE = 'PGlite is closed'; // PGlite's own, which lib/db/availability.ts knows

export class ThreadedPGlite {
  #worker: Worker;
  #pglite: typeof import('@electric-sql/pglite');
  #parsers: Record<number, Parser>;
  #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  #nextId = 1;
  #closed = false;

  private constructor(worker: Worker, pglite: typeof import('@electric-sql/pglite'), parsers: Record<number, Parser>) {
    this.#worker = worker;
    this.#pglite = pglite;
    this.#parsers = parsers;
    worker.on('message', (reply: Reply) => {
      const waiting = this.#pending.get(reply.id);
      if (!waiting) return;
      this.#pending.delete(reply.id);
      if (reply.ok) waiting.resolve(reply.result);
      else waiting.reject(this.#rebuildError(reply.error));
    });
    // A worker that dies (out of memory, a WebAssembly trap) fails what waits on it, and everything after.
    const fail = () => {
      this.#closed = true;
      for (const waiting of this.#pending.values()) waiting.reject(new Error(CLOSED_MESSAGE));
      this.#pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', fail);
  }

  /** Starts the thread and opens the data directory in it; rejects with PGlite's error if it cannot. */
  static async create(options: { dataDir: string; startParams: string[] }): Promise<ThreadedPGlite> {
    const pglite = await import('@electric-sql/pglite');
    // The worker runs as the plain file it is: Turbopack would bundle a `new Worker` whose path it can
    // read into a chunk of its own that then cannot find it, so the path is put together at run time.
    const workerFile = workerFilePath();
    const worker = new Worker(/* turbopackIgnore: true */ workerFile, {
      workerData: options,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    type Ready = { type: 'ready'; arrayTypes: { oid: number; typarray: number }[] };
    let onMessage = (_message: Ready | { type: 'failed'; error: PlainError }) => {};
    let onError = (_error: Error) => {};
    let onExit = (_code: number) => {};
    const started = await new Promise<Ready>((resolve, reject) => {
      onMessage = (message) =>
        message.type === 'ready' ? resolve(message) : reject(rebuildError(pglite, message.error));
      onError = reject;
      onExit = (code) => reject(new Error(`the embedded database's thread exited (code ${code})`));
      worker.once('message', onMessage).once('error', onError).once('exit', onExit);
    }).catch(async (error) => {
      await worker.terminate();
      throw error;
    });
    worker.off('message', onMessage).off('error', onError).off('exit', onExit);
    // PGlite's default parsers, its array types included (as PGlite's own _initArrayTypes makes them).
    const parsers: Record<number, Parser> = { ...pglite.types.parsers };
    for (const { oid, typarray } of started.arrayTypes) {
      parsers[typarray] = (text) => pglite.types.arrayParser(text, parsers[oid] as Parser, typarray);
    }
    return new ThreadedPGlite(worker, pglite, parsers);
  }

  get closed(): boolean {
    return this.#closed;
  }

  query<T>(sql: string, params?: unknown[], options?: QueryOptions): Promise<Results<T>> {
    return this.#query<T>(sql, params, options);
  }

  async exec(sql: string, options?: QueryOptions): Promise<Results[]> {
    const results = (await this.#send({ op: 'exec', sql })) as PlainResults[];
    return results.map((result) => this.#parse(result, options));
  }

  async transaction<T>(callback: (tx: Transaction) => Promise<T>): Promise<T> {
    const id = await this.#beginTransaction();
    let closed = false;
    const checkOpen = () => {
      if (closed) throw new Error('Transaction is closed');
    };
    const tx = {
      query: <R>(sql: string, params?: unknown[], options?: QueryOptions) => {
        checkOpen();
        return this.#query<R>(sql, params, options, id);
      },
      exec: async (sql: string, options?: QueryOptions) => {
        checkOpen();
        const results = (await this.#send({ op: 'exec', sql, tx: id })) as PlainResults[];
        return results.map((result) => this.#parse(result, options));
      },
      rollback: async () => {
        checkOpen();
        closed = true;
        await this.#send({ op: 'rollback', tx: id });
      },
      get closed() {
        return closed;
      },
    } as unknown as Transaction;
    let result: T;
    try {
      result = await callback(tx);
    } catch (error) {
      if (!closed) {
        closed = true;
        await this.#send({ op: 'rollback', tx: id }).catch(() => {});
      }
      throw error;
    }
    if (!closed) {
      closed = true;
      await this.#send({ op: 'commit', tx: id });
    }
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    try {
      await this.#send({ op: 'close' });
    } finally {
      this.#closed = true;
      await this.#worker.terminate();
    }
  }

  /** The begin request's id names the transaction in the thread. */
  #beginTransaction(): Promise<number> {
    const id = this.#nextId;
    return this.#send({ op: 'begin' }).then(() => id);
  }

  async #query<T>(sql: string, params?: unknown[], options?: QueryOptions, tx?: number): Promise<Results<T>> {
    const result = (await this.#send({ op: 'query', sql, params, tx })) as PlainResults;
    return this.#parse<T>(result, options);
  }

  #send(request: Request): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error(CLOSED_MESSAGE));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, id });
    });
  }

  #parse<T>(result: PlainResults, options?: QueryOptions): Results<T> {
    const parsers = options?.parsers ? { ...this.#parsers, ...options.parsers } : this.#parsers;
    const columns = result.fields.map((field) => parsers[field.dataTypeID]);
    const parseRow = (row: (string | null)[]) =>
      row.map((text, i) => {
        const parser = columns[i];
        return text === null || !parser ? text : parser(text, result.fields[i]?.dataTypeID ?? 0);
      });
    const rows =
      options?.rowMode === 'array'
        ? result.rows.map(parseRow)
        : result.rows.map((row) => {
            const values = parseRow(row);
            return Object.fromEntries(result.fields.map((field, i) => [field.name, values[i]]));
          });
    return { rows: rows as T[], fields: result.fields, affectedRows: result.affectedRows };
  }

  #rebuildError(error: PlainError): Error {
    return rebuildError(this.#pglite, error);
  }
}

/** PGlite's DatabaseError again (the Prisma adapter maps only those to its driver errors), fields and all. */
function rebuildError(pglite: typeof import('@electric-sql/pglite'), error: PlainError): Error {
  const rebuilt = error.isDatabaseError
    ? new pglite.messages.DatabaseError(error.message, 0, 'error')
    : new Error(error.message);
  Object.assign(rebuilt, error.fields);
  return rebuilt;
}

/**
 * The worker's file is code, found where the app is installed: the project root (MAILPORT_PROJECT_ROOT,
 * which may point at a folder holding only migrations, as the CLI tests do), else the working directory
 * every npm script runs in.
 */
function workerFilePath(): string {
  const candidates = [projectRoot(), process.cwd()].map((root) => path.join(root, ...WORKER_FILE));
  return candidates.find((candidate) => existsSync(candidate)) ?? (candidates[0] as string);
}

/** What the rest of lib/db takes for a PGlite: this class answers the part of its interface they use. */
export function asPGlite(database: ThreadedPGlite): PGlite {
  return database as unknown as PGlite;
}
