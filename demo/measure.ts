/**
 * Timing and the measured cases of bench/browser.ts, free of DOM and Node APIs so that the very same code runs in
 * Node (bench/browser.ts) and in headless Chromium (demo/bench-worker.ts, a Web Worker like the demo's trainer).
 *
 * Cases:
 *  - `train step`: one optimiser step of the demo's default configuration (white dwarf, reversible midpoint, λ = 0.999:
 *    forward solve, loss, reversible backward pass, Adam update), the loop demo/worker.ts runs;
 *  - `mlp fwd|fwd+vjp B×H js|wasm`: bench/scaling.ts's H→H→H tanh MLP (mlp([H, H, H])) at 16×50, 256×256 and
 *    1024×512, forward and forward + VJP, with `kernels.setBackend('js' | 'wasm')`.
 */
import { mlp, Rng, kernels } from '../src/index.ts';
import { DEFAULT_CONFIG, Trainer, type TrainConfig } from './trainer.ts';

export { timeIt, type TimeOptions } from '../bench/timing/time-it.ts';
import { timeIt, type TimeOptions } from '../bench/timing/time-it.ts';

export const KERNEL_SIZES: ReadonlyArray<readonly [number, number]> = [[16, 50], [256, 256], [1024, 512]];

/** One measured case, as plain data (it crosses postMessage). */
export interface CaseResult {
  name: string; sec: number; spread: number; gflops?: number; batch?: number; hidden?: number; backend?: string; op?: string;
  problem?: string; gradient?: string; solver?: string; lambda?: number; paramCount?: number;
}

/** Seconds per training step of `config` (default: the demo's default), after a few warm-up steps. */
export function trainStepCase(quick: boolean, config: TrainConfig = DEFAULT_CONFIG): CaseResult {
  const t = new Trainer(config);
  const r = timeIt(() => { t.step(); }, { minBatchSec: quick ? 0.1 : 0.3, batches: quick ? 5 : 9, warmupSec: quick ? 0.2 : 0.5 });
  return { name: 'train step', sec: r.sec, spread: r.spread, problem: config.problem, solver: config.solver, gradient: config.gradient, lambda: config.lambda, paramCount: t.info.paramCount };
}

/** The cases, by id: the training step, and the MLP rows of one size each. */
export const CASE_IDS: readonly string[] = ['train step', ...KERNEL_SIZES.map(([b, h]) => `mlp ${b}x${h}`)];

/** Runs the case `id` of {@link CASE_IDS}. */
export function runCase(id: string, quick: boolean): CaseResult[] {
  if (id === 'train step') return [trainStepCase(quick)];
  const size = KERNEL_SIZES.find(([b, h]) => id === `mlp ${b}x${h}`);
  if (size === undefined) throw new Error(`measure: unknown case '${id}'; the cases are ${CASE_IDS.join(', ')}.`);
  return kernelCases(quick, [size]);
}

/** bench/scaling.ts's MLP rows: forward and forward + VJP, JS and Wasm kernels, at the given sizes (default all three). */
export function kernelCases(quick: boolean, sizes: ReadonlyArray<readonly [number, number]> = KERNEL_SIZES): CaseResult[] {
  const out: CaseResult[] = [];
  const rng = new Rng(0);
  for (const [batch, hidden] of sizes) {
    const big = batch * hidden * hidden > 1e7;
    const opts: TimeOptions = { minBatchSec: quick ? 0.02 : 0.05, batches: quick ? 3 : big ? 5 : 9, warmupSec: quick ? 0.05 : 0.1 };
    const model = mlp([hidden, hidden, hidden], { activation: 'tanh' });
    const params = new Float64Array(model.paramCount);
    model.init(params, rng);
    const ws = model.workspace(batch);
    const x = rng.fillNormal(new Float64Array(batch * hidden));
    const dOut = rng.fillNormal(new Float64Array(batch * hidden));
    const y = new Float64Array(batch * hidden), dX = new Float64Array(batch * hidden), dP = new Float64Array(model.paramCount);
    const flopsFwd = 4 * batch * hidden * hidden;
    for (const backend of ['js', 'wasm'] as const) {
      kernels.setBackend(backend);
      const fwd = timeIt(() => model.apply(y, params, x, ws), opts);
      const both = timeIt(() => { model.apply(y, params, x, ws); model.vjp(dP, dX, dOut, params, x, ws); }, opts);
      for (const [op, t, flops] of [['fwd', fwd, flopsFwd], ['fwd+vjp', both, 3 * flopsFwd]] as const) {
        out.push({ name: `mlp ${op} ${batch}x${hidden} ${backend}`, op, batch, hidden, backend, sec: t.sec, spread: t.spread, gflops: flops / t.sec / 1e9 });
      }
    }
  }
  kernels.setBackend('auto');
  return out;
}
