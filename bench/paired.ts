/**
 * How `npm run bench` measures a scenario: autocannon, alternating with the
 * baseline (GET /livez) in short rounds on the same app, the ratio taken over
 * the paired rounds so both saw the same machine; the app's CPU time and
 * event-loop delay read around each round (docs/benchmarks.md, "How a figure is made").
 */
import autocannon, { type Request as AutocannonRequest } from 'autocannon';
import type { BenchContext, Scenario } from './client';
import type { Result } from './report';
import type { RunningApp } from './server';

/** The warm-up before a scenario's rounds (JIT, caches, pools), not counted. */
const WARM_UP_SECONDS = 2;

export interface PairedOptions {
  connections: number;
  /** Seconds of each scenario, in rounds of ROUND_SECONDS (the baseline gets as many). */
  duration: number;
}

/** Seconds per measured round: scenarios and the baseline alternate in rounds this long. */
export const ROUND_SECONDS = 2;

/** What one scenario has answered so far, over its rounds. */
export interface Meter {
  scenario: Scenario;
  requests: AutocannonRequest[];
  answered: number;
  seconds: number;
  p50s: number[];
  p99s: number[];
  loopP99s: number[];
  cpuSeconds: number | null;
  statusCodes: Record<string, number>;
  non2xx: number;
  errors: number;
}

export async function prepare(context: BenchContext, scenario: Scenario): Promise<Meter> {
  const state = scenario.setup ? await scenario.setup(context) : undefined;
  const made = scenario.request(context, state);
  return {
    scenario,
    requests: Array.isArray(made) ? made : [made],
    answered: 0,
    seconds: 0,
    p50s: [],
    p99s: [],
    loopP99s: [],
    cpuSeconds: 0,
    statusCodes: {},
    non2xx: 0,
    errors: 0,
  };
}

export async function round(
  app: RunningApp,
  context: BenchContext,
  meter: Meter,
  seconds: number,
  opts: PairedOptions,
) {
  await app.loopDelay(); // starts the count
  const cpuBefore = app.cpuSeconds();
  const result = await autocannon({
    url: context.baseUrl,
    connections: opts.connections,
    duration: seconds,
    requests: meter.requests,
  });
  // autocannon stops with requests still in the server's queue: let them drain before the next round starts.
  await (await fetch(`${context.baseUrl}/livez`)).body?.cancel();
  const cpuAfter = app.cpuSeconds();
  const loop = await app.loopDelay();
  meter.answered += result.requests.total;
  meter.seconds += result.duration;
  meter.p50s.push(result.latency.p50);
  meter.p99s.push(result.latency.p99);
  if (loop) meter.loopP99s.push(loop.p99);
  meter.cpuSeconds =
    meter.cpuSeconds !== null && cpuBefore !== null && cpuAfter !== null
      ? meter.cpuSeconds + (cpuAfter - cpuBefore)
      : null;
  for (const [status, stats] of Object.entries(result.statusCodeStats ?? {})) {
    meter.statusCodes[status] = (meter.statusCodes[status] ?? 0) + (stats.count ?? 0);
  }
  meter.non2xx += result.non2xx;
  meter.errors += result.errors + result.timeouts;
  return result.requests.total / result.duration;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

export function resultOf(meter: Meter, ratio: number): Result {
  const expected = [meter.scenario.expectStatus].flat();
  const badStatus = Object.entries(meter.statusCodes)
    .filter(([status]) => !expected.includes(Number(status)))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    name: meter.scenario.name,
    requestsPerSecond: meter.answered / meter.seconds,
    p50: median(meter.p50s),
    p99: median(meter.p99s),
    ratio,
    non2xx: meter.non2xx,
    badStatus,
    statusCodes: meter.statusCodes,
    errors: meter.errors,
    loopP99: meter.loopP99s.length > 0 ? median(meter.loopP99s) : null,
    cpuMsPerRequest:
      meter.cpuSeconds !== null && meter.answered > 0 ? (meter.cpuSeconds * 1000) / meter.answered : null,
    rounds: meter.p99s.length,
    target: meter.scenario.target,
  };
}

/** JIT, caches, connection pools: a run whose figures are discarded. */
export async function warmUp(context: BenchContext, meter: Meter, opts: PairedOptions): Promise<void> {
  await autocannon({
    url: context.baseUrl,
    connections: opts.connections,
    duration: WARM_UP_SECONDS,
    requests: meter.requests,
  });
}

/**
 * A scenario against the baseline on a machine whose load changes by the second
 * (other jobs): the two alternate in short rounds, and the ratio is the
 * scenario's requests per second over the baseline's in the rounds between its
 * own, so both saw the same machine. Latencies are the median of the rounds'.
 */
export async function measurePaired(
  app: RunningApp,
  context: BenchContext,
  baseline: Meter,
  scenario: Scenario,
  opts: PairedOptions,
): Promise<Result> {
  const meter = await prepare(context, scenario);
  await warmUp(context, meter, opts);
  const rounds = Math.max(1, Math.ceil(opts.duration / ROUND_SECONDS));
  let baselineRate = 0;
  let scenarioRate = 0;
  for (let i = 0; i < rounds; i++) {
    baselineRate += await round(app, context, baseline, ROUND_SECONDS, opts);
    scenarioRate += await round(app, context, meter, ROUND_SECONDS, opts);
  }
  return resultOf(meter, baselineRate > 0 ? scenarioRate / baselineRate : 0);
}
