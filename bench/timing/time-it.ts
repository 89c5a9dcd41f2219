/**
 * Median timing of a function, free of DOM and Node APIs, so that the benches (bench/lib.ts) and the page's bench
 * worker (demo/measure.ts) time with the very same procedure. A folder, not a file in bench/: bench/run.ts treats
 * every file there as a benchmark.
 */
export interface TimeOptions { minBatchSec?: number; batches?: number; warmupSec?: number }

/**
 * Median seconds per call of fn over `batches` batches, each of enough calls to last ≥ minBatchSec, after at least
 * warmupSec of warm-up calls.
 */
export function timeIt(fn: () => void, opts: TimeOptions = {}): { sec: number; spread: number } {
  const minBatch = opts.minBatchSec ?? 0.05, batches = opts.batches ?? 9, warm = opts.warmupSec ?? 0.1;
  const t0 = performance.now();
  do fn(); while (performance.now() - t0 < warm * 1000);
  let reps = 1;
  for (;;) {
    const s = performance.now();
    for (let i = 0; i < reps; i++) fn();
    const dt = (performance.now() - s) / 1000;
    if (dt >= minBatch) break;
    reps = Math.max(reps * 2, Math.ceil(reps * minBatch / Math.max(dt, 1e-9)));
  }
  const per: number[] = [];
  for (let b = 0; b < batches; b++) {
    const s = performance.now();
    for (let i = 0; i < reps; i++) fn();
    per.push((performance.now() - s) / 1000 / reps);
  }
  per.sort((a, b) => a - b);
  const med = per[Math.floor(per.length / 2)];
  return { sec: med, spread: (per[per.length - 1] - per[0]) / med };
}
