/**
 * npx tsx bench/profile.ts --scenario "token get" [--database pglite|postgres] [--duration 10] [--connections 32]
 *
 * Where a scenario's time goes: the built app runs under `node --cpu-prof` while
 * autocannon sends the scenario (bench/scenarios.ts), then the profile's samples
 * are summed by package or project folder (through the build's source maps) and
 * by function. What docs/benchmarks.md's profile summaries come from.
 *
 * PostgreSQL: MAILPORT_BENCH_DATABASE_URL, else a private server (as npm run bench).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { scenarios } from './scenarios';
import { createApiKey, root, runCleanups, startApp, startPrivatePostgres } from './server';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** CLOCK_MONOTONIC in microseconds: the clock V8's profile timestamps use, the same in every process. */
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'token get' },
    database: { type: 'string', default: 'postgres' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    top: { type: 'string', default: '25' },
  },
});

const sourceMaps = new Map<string, SourceMap | null>();

function sourceMapFor(url: string): SourceMap | null {
  if (sourceMaps.has(url)) return sourceMaps.get(url) ?? null;
  let map: SourceMap | null = null;
  try {
    const file = url.startsWith('file://') ? fileURLToPath(url) : url;
    if (existsSync(`${file}.map`)) map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
  } catch {
    map = null;
  }
  sourceMaps.set(url, map);
  return map;
}

/** The original file of a frame: through the chunk's source map when Next.js bundled it. */
function originalFile(frame: ProfileNode['callFrame']): string {
  const map = frame.url ? sourceMapFor(frame.url) : null;
  if (map) {
    const entry = map.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
    if (entry.originalSource) return entry.originalSource;
  }
  return frame.url;
}

/** A package name (node_modules/<pkg>), a project folder (lib/http), a node internal, or a V8 pseudo-frame. */
function category(frame: ProfileNode['callFrame']): string {
  if (!frame.url) return frame.functionName.startsWith('(') ? frame.functionName : `(native) ${frame.functionName}`;
  if (frame.url.startsWith('node:')) return 'node internals';
  // Packages Node loads as they are (Next.js's own runtime, the database drivers): named by their folder.
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(decodeURIComponent(frame.url))?.[1];
  if (pkg && !frame.url.includes('/.next/')) return pkg;
  // What Next.js bundled into .next/server: named through the chunk's source map.
  const file = decodeURIComponent(originalFile(frame));
  const bundled = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? /^webpack:\/\/([^/]+)/.exec(file)?.[1];
  if (bundled) return `${bundled} (bundled)`;
  const project = /(?:^|\/)(lib\/[^/]+|app\/[^/]+(?:\/[^/[]+)?|components|proxy\.ts|instrumentation\.ts)/.exec(
    file,
  )?.[1];
  if (project) return project;
  if (file.includes('/.next/')) return 'next (bundled runtime)';
  return file.replace(/^file:\/\//, '').replace(root, '.');
}

/** Only the samples taken while the measured run was in flight (not start-up, not the warm-up). */
function summarise(profile: Profile, top: number, window: { from: number; to: number }): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const hits = new Map<number, number>();
  let at = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, index) => {
    at += profile.timeDeltas[index] ?? 0;
    if (at < window.from || at > window.to) return;
    hits.set(id, (hits.get(id) ?? 0) + 1);
    total += 1;
  });
  const idle = [...hits].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
  const idleHits = idle.reduce((sum, [, count]) => sum + count, 0);
  const busy = total - idleHits;
  const byCategory = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, count] of hits) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const cat = category(node.callFrame);
    byCategory.set(cat, (byCategory.get(cat) ?? 0) + count);
    const name = `${node.callFrame.functionName || '(anonymous)'} [${cat}]`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + count);
  }
  const seconds = (window.to - window.from) / 1e6;
  console.log(
    `\n${total} samples over ${seconds.toFixed(1)} s; main thread busy ${((busy / total) * 100).toFixed(0)}% (idle ${((idleHits / total) * 100).toFixed(0)}%)`,
  );
  const print = (title: string, entries: Map<string, number>) => {
    console.log(`\n${title} (share of busy samples)`);
    for (const [name, count] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${((count / busy) * 100).toFixed(1).padStart(5)}%  ${name}`);
    }
  };
  print('self time by package / project folder', byCategory);
  print('self time by function', byFunction);
}

async function main(): Promise<void> {
  const scenario = scenarios.find((candidate) => candidate.name.includes(values.scenario));
  if (!scenario) throw new Error(`no scenario matches "${values.scenario}"`);
  let env: Record<string, string> = {};
  let stopPostgres = () => {};
  if (values.database === 'postgres') {
    let url = process.env.MAILPORT_BENCH_DATABASE_URL;
    if (!url) {
      const started = await startPrivatePostgres();
      if (!('url' in started)) throw new Error(`no PostgreSQL: ${started.reason}`);
      ({ url, stop: stopPostgres } = started);
    }
    env = { DATABASE_URL: url, MAILPORT_MASTER_KEY: randomBytes(32).toString('hex'), MAILPORT_DB_POOL_SIZE: '32' };
  }
  const profileDir = mkdtempSync(path.join(tmpdir(), 'mailport-profile-'));
  const window = { from: 0, to: 0 };
  const app = await startApp(values.database, env, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  try {
    const key = createApiKey(app, `profile-${randomBytes(4).toString('hex')}@example.com`);
    if (!key.ok) throw new Error(`no API key: ${key.reason}`);
    const context = {
      baseUrl: app.baseUrl,
      credentials: { key: key.key, secret: key.secret },
      databaseUrl: env.DATABASE_URL,
    };
    const state = scenario.setup ? await scenario.setup(context) : undefined;
    const made = scenario.request(context, state);
    const requests = Array.isArray(made) ? made : [made];
    const run = (duration: number) =>
      autocannon({ url: app.baseUrl, connections: Number(values.connections), duration, requests });
    await run(2);
    window.from = monotonicMicros();
    const result = await run(Number(values.duration));
    window.to = monotonicMicros();
    console.log(
      `${scenario.name} on ${values.database}: ${result.requests.average.toFixed(0)} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
    );
  } finally {
    await app.stop();
    stopPostgres();
  }
  const files = readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'));
  // The server's own profile is the largest (key creation runs in other, short processes).
  const largest = files
    .map((name) => path.join(profileDir, name))
    .sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
  if (!largest) throw new Error('the server wrote no profile');
  summarise(JSON.parse(readFileSync(largest, 'utf8')) as Profile, Number(values.top), window);
  rmSync(profileDir, { recursive: true, force: true });
}

process.once('exit', runCleanups);
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('profile:', error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
