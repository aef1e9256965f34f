/**
 * Preloaded into the app's server by `npm run bench` (node --import): the
 * event loop's delay, from perf_hooks.monitorEventLoopDelay. On SIGUSR2 it
 * writes the histogram since the previous SIGUSR2 to MAILPORT_BENCH_LOOP_FILE
 * (milliseconds, JSON) and starts a new one, so the bench brackets each
 * measured run with two signals. Bench-only: the app itself never loads it.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.MAILPORT_BENCH_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;
  process.on('SIGUSR2', () => {
    const stats = {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
    };
    histogram.reset();
    writeFileSync(file, JSON.stringify(stats));
  });
}
