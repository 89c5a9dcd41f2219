/**
 * Data-parallel gradients: the spiral neural ODE (2 → 50 → 2 MLP on y³, torchdiffeq's ode_demo field; also 2 → 128 → 2) on a batch of
 * 256 initial states, rk4 with fixed steps, gradient by direct backprop and by the reversible method. Three routes
 * side by side in one process, each prepared once and timed per gradient:
 *   - single thread: one prepared solve of the whole batch (what valueAndGradient / fit do);
 *   - 1 worker: the batch in 2 shards, both on one worker (the parallel path's own overhead);
 *   - 2 workers: the same 2 shards on two workers.
 * Reports sec per gradient, ratio_speedup_vs_1_worker (1-worker sec / this sec) and ratio_vs_single_thread
 * (single-thread sec / this sec), and the gradients' max relative difference from the single-thread run.
 *
 *   npm run bench -- parallel            # t1 = 1, 50 steps, hidden 50 and 128, 15 timed calls per route (~1 min)
 *   npm run bench -- parallel --quick    # t1 = 0.5, 25 steps, hidden 50, 7 calls (~20 s)
 * A row times a near-empty call: the fixed cost of a parallel call (messages, shared-memory reads, the sum). Each
 * 2-worker row carries ratio_control_spin_speedup: a bare worker_threads spin loop on 2 vs 1 workers, timed
 * interleaved with that case, i.e. the speedup the machine allowed meanwhile (≈ 1 on a loaded machine).
 * Needs ≥ 2 idle cores for a meaningful speedup. Workers run tide from its TypeScript sources via
 * test/parallel/tsx-worker.mjs and build their shards from test/parallel/spiral-shards.ts.
 */
import { cpus, loadavg } from 'node:os';
import { prepareSolve, parallelGradient } from '../src/index.ts';
import { batchProblem, type SpiralShardData } from '../test/parallel/spiral-shards.ts';
import { printTable, writeResults, interleavedTimes, SpinControl, type Row } from './lib.ts';
import { maxDiffOverMax } from '../test/oracles/finite-diff.ts';

const module = new URL('../test/parallel/spiral-shards.ts', import.meta.url);
const workerUrl = new URL('../test/parallel/tsx-worker.mjs', import.meta.url);

export async function main(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const reps = quick ? 7 : 25;
  const batch = 256, t1 = quick ? 0.5 : 1, stepSize = 0.02;
  const rows: Row[] = [];
  const load0 = Math.round(loadavg()[0] * 100) / 100;
  const cases = [...(quick ? [50] : [50, 128]).flatMap((hidden) => ['direct', 'reversible'].map((gradient) => ({ hidden, gradient })))];
  for (const { hidden, gradient } of cases) {
    const data: SpiralShardData = { batch, hidden, gradient, t1, stepSize };
    const b = batchProblem(data);
    const prepared = prepareSolve(b.field, { ...b.solve, params: b.params });
    const dYs = new Float64Array(prepared.run(b.y0, b.params).ys.length);
    let single: Float64Array = new Float64Array(0), one: Float64Array = single, two: Float64Array = single;
    const pools = [await parallelGradient({ module, workerUrl, shards: 2, workers: 1, data }), await parallelGradient({ module, workerUrl, shards: 2, workers: 2, data })];
    let secs: number[], mins: number[];
    const spin = new SpinControl(1e7);
    try {
      ({ med: secs, min: mins } = await interleavedTimes([
        () => {
          const sol = prepared.run(b.y0, b.params);
          dYs.fill(0);
          b.loss(sol.ys, dYs);
          single = sol.backward(dYs).dParams;
        },
        async () => { one = (await pools[0].valueAndGradient(b.params)).dParams; },
        async () => { two = (await pools[1].valueAndGradient(b.params)).dParams; },
        spin.one, spin.all,
      ], reps));
    } finally {
      for (const pg of pools) await pg.close();
      await spin.close();
    }
    const [singleSec, oneSec, twoSec, spinOne, spinTwo] = secs;
    const [singleMin, oneMin, twoMin] = mins;
    const common = { gradient, batch, hidden, steps: Math.round(t1 / stepSize) };
    const tag = `${gradient}, 2→${hidden}→2`;
    rows.push({ name: `${tag}, single thread`, ...common, workers: 0, shards: 1, sec: singleSec, sec_min: singleMin, ratio_speedup_vs_1_worker: null, ratio_speedup_vs_1_worker_min: null, ratio_vs_single_thread: 1, max_rel_diff_vs_single_thread: 0 });
    rows.push({ name: `${tag}, 1 worker`, ...common, workers: 1, shards: 2, sec: oneSec, sec_min: oneMin, ratio_speedup_vs_1_worker: 1, ratio_speedup_vs_1_worker_min: 1, ratio_vs_single_thread: singleSec / oneSec, max_rel_diff_vs_single_thread: maxDiffOverMax(one, single) });
    rows.push({ name: `${tag}, 2 workers`, ...common, workers: 2, shards: 2, sec: twoSec, sec_min: twoMin, ratio_speedup_vs_1_worker: oneSec / twoSec, ratio_speedup_vs_1_worker_min: oneMin / twoMin, ratio_vs_single_thread: singleSec / twoSec, max_rel_diff_vs_single_thread: maxDiffOverMax(two, single), ratio_control_spin_speedup: spinOne / spinTwo });
  }
  // The fixed cost of a parallel call: a near-empty shard (batch 1 per shard, one rk4 step) on 2 workers.
  {
    const data: SpiralShardData = { batch: 2, hidden: 4, t1: 0.01, stepSize: 0.01 };
    const b = batchProblem(data);
    const pg = await parallelGradient({ module, workerUrl, shards: 2, workers: 2, data });
    try {
      const [sec] = (await interleavedTimes([() => pg.valueAndGradient(b.params)], quick ? 50 : 200)).med;
      rows.push({ name: 'overhead: near-empty shards, 2 workers', gradient: 'direct', batch: 2, hidden: 4, steps: 1, workers: 2, shards: 2, sec, ratio_speedup_vs_1_worker: null, ratio_vs_single_thread: null, max_rel_diff_vs_single_thread: null });
    } finally {
      await pg.close();
    }
  }
  // The machine's state, to tell a quiet run from a loaded one (the speedup needs 2 idle cores).
  for (const r of rows) { r.cores = cpus().length; r.load_avg_1min_start = load0; }
  printTable(`parallel gradients: spiral neural ODE, batch ${batch}, rk4 × ${Math.round(t1 / stepSize)} steps${quick ? ' (--quick)' : ''}`, rows);
  writeResults('parallel', rows);
}
