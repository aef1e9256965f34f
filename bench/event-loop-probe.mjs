/**
 * Preloaded into the app's server by `npm run bench` (node --import): the
 * event loop's delay, from perf_hooks.monitorEventLoopDelay. On SIGUSR2 it
 * writes the histogram since the previous SIGUSR2 to MAILPORT_BENCH_LOOP_FILE
 * (milliseconds, JSON) and starts a new one, so the bench brackets each
 * measured run with two signals. It also keeps the peak of each part of
 * process.memoryUsage() since start (sampled every 100 ms), so the bench can
 * say where the resident memory goes. Bench-only: the app itself never loads it.
 */
import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.MAILPORT_BENCH_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ms = (ns) => Math.round((ns / 1e6) * 10) / 10;
  const mib = (bytes) => Math.round(bytes / 1048576);
  // This thread's isolate only: PGlite's WebAssembly memory lives in its worker thread (lib/db/pglite-thread.ts).
  const peaks = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  const sample = () => {
    const usage = process.memoryUsage();
    for (const key of Object.keys(peaks)) peaks[key] = Math.max(peaks[key], usage[key]);
  };
  setInterval(sample, 100).unref();
  process.on('SIGUSR2', () => {
    const stats = {
      p50: ms(histogram.percentile(50)),
      p99: ms(histogram.percentile(99)),
      max: ms(histogram.max),
      mean: ms(histogram.mean),
      memoryPeakMiB: Object.fromEntries(Object.entries(peaks).map(([key, bytes]) => [key, mib(bytes)])),
    };
    histogram.reset();
    writeFileSync(file, JSON.stringify(stats));
  });
}
