import type { Db } from './client';

/**
 * A checksum of what is stored, for tests that must prove a request changed
 * nothing (the bad-input suites). Generic on purpose: the tables come from the
 * catalog, so a table another change adds is covered without editing this file.
 *
 * With `developerIds`, a table is summed over the rows that belong to those
 * developers, found by walking the foreign keys from `developers` (shortest
 * path): other tests' sources keep syncing and retrying callbacks in the same
 * database, and their rows must not make the comparison flaky. Tables no key
 * leads to from `developers` are summed whole.
 */

/** Written by design on every signed request or counted attempt, bad or not: not "stored data" a request may change. */
const BOOKKEEPING_TABLES = new Set([
  'oauth_nonces',
  'rate_limit_counters',
  '_prisma_migrations',
  // The live sync's own working state (issue 12): leases renewed, workers' heartbeats, each folder's
  // checkpoint and the sync's progress move every few seconds for every connected mailbox, requests or not.
  'live_workers',
  'source_leases',
  'source_folders',
  'source_syncs',
]);
/** Columns a refused form writes by design: the connect flow shows its last error after a redirect (PRG). */
const DISPLAY_STATE_COLUMNS: Record<string, string[]> = { connect_flows: ['error', 'updated_at'] };

export interface TableSum {
  rows: number;
  checksum: string;
}

interface ForeignKey {
  child: string;
  parent: string;
  childColumns: string[];
  parentColumns: string[];
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function readForeignKeys(db: Db): Promise<ForeignKey[]> {
  const rows = await db.$queryRawUnsafe<
    { child: string; parent: string; child_cols: string[]; parent_cols: string[] }[]
  >(
    `SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent,
            ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i) AS child_cols,
            ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
                  JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i) AS parent_cols
       FROM pg_constraint c
      WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
      ORDER BY 1, 2`,
  );
  const bare = (name: string) => name.replace(/^public\./, '').replace(/^"(.*)"$/, '$1');
  return rows.map((row) => ({
    child: bare(row.child),
    parent: bare(row.parent),
    childColumns: row.child_cols,
    parentColumns: row.parent_cols,
  }));
}

/** For each table reachable from `developers`, the chain of keys leading back to it (breadth first: shortest). */
function pathsFromDevelopers(keys: ForeignKey[]): Map<string, ForeignKey[]> {
  const paths = new Map<string, ForeignKey[]>([['developers', []]]);
  const queue = ['developers'];
  for (let table = queue.shift(); table !== undefined; table = queue.shift()) {
    for (const key of keys.filter((candidate) => candidate.parent === table && !paths.has(candidate.child))) {
      paths.set(key.child, [key, ...(paths.get(table) ?? [])]);
      queue.push(key.child);
    }
  }
  return paths;
}

function sumQuery(table: string, path: ForeignKey[] | undefined, scoped: boolean): string {
  const dropped = (DISPLAY_STATE_COLUMNS[table] ?? []).map((column) => ` - '${column}'`).join('');
  const row = `md5((to_jsonb(t0)${dropped})::text)`;
  let from = `${quote(table)} t0`;
  let where = '';
  if (scoped && path) {
    path.forEach((key, index) => {
      const on = key.childColumns
        .map((column, i) => `t${index}.${quote(column)} = t${index + 1}.${quote(key.parentColumns[i] ?? '')}`)
        .join(' AND ');
      from += ` JOIN ${quote(key.parent)} t${index + 1} ON ${on}`;
    });
    where = ` WHERE t${path.length}.id = ANY($1::text[])`;
  }
  return `SELECT count(*)::int AS rows, coalesce(md5(string_agg(${row}, '' ORDER BY ${row})), '') AS checksum FROM ${from}${where}`;
}

/** The ids of developers known by email (dashboard tests know only the address they signed up with). */
export async function developerIdsByEmail(db: Db, emails: string[]): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    'SELECT id FROM developers WHERE email = ANY($1::text[])',
    emails,
  );
  return rows.map((row) => row.id);
}

/** Every public table's row count and checksum (bookkeeping tables left out), optionally scoped to developers. */
export async function snapshotTables(db: Db, developerIds?: string[]): Promise<Record<string, TableSum>> {
  const tables = await db.$queryRawUnsafe<{ name: string }[]>(
    `SELECT tablename::text AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
  );
  const paths = developerIds ? pathsFromDevelopers(await readForeignKeys(db)) : new Map<string, ForeignKey[]>();
  const sums: Record<string, TableSum> = {};
  for (const { name } of tables) {
    if (BOOKKEEPING_TABLES.has(name)) continue;
    const path = paths.get(name);
    const query = sumQuery(name, path, developerIds !== undefined);
    const [sum] = await (developerIds && path
      ? db.$queryRawUnsafe<TableSum[]>(query, developerIds)
      : db.$queryRawUnsafe<TableSum[]>(query));
    sums[name] = { rows: Number(sum?.rows ?? 0), checksum: sum?.checksum ?? '' };
  }
  return sums;
}
