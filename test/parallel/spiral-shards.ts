/**
 * Shard module for the parallel tests and bench: the spiral neural ODE (2 → hidden → 2 MLP on y³) on a batch of
 * initial states, split into equal slices. The loss is the mean over the whole batch of |y(t)|² at the save times, so
 * the shard losses add up to the batched loss. `batchProblem` builds the unsplit problem for the single-thread oracle.
 */
import { problems, Rng, reversible, type ShardContext, type ShardProblem, type GradientSolveOptions } from '../../src/index.ts';

export interface SpiralShardData {
  batch: number;
  hidden?: number;
  /** 'direct' or 'reversible'. */
  gradient?: string;
  method?: string;
  t1?: number;
  stepSize?: number;
  rtol?: number;
  seed?: number;
  /** If given (an Int32Array on a SharedArrayBuffer), setup counts its calls in [0]. */
  setups?: Int32Array;
}

function solveOptions(d: SpiralShardData): Omit<GradientSolveOptions, 'params'> {
  const fixed = d.stepSize !== undefined;
  return {
    t1: d.t1 ?? 0.5, method: d.method ?? 'rk4', saveAt: { ts: [(d.t1 ?? 0.5) / 2, d.t1 ?? 0.5] },
    ...(fixed ? { stepSize: d.stepSize } : { rtol: d.rtol ?? 1e-6, atol: 1e-8 }),
    gradient: d.gradient === 'reversible' ? reversible() : 'direct',
  };
}

/** The whole batch's initial states (batch × 2) from data.seed. */
export function batchY0(d: SpiralShardData): Float64Array {
  return new Rng(d.seed ?? 1).fillNormal(new Float64Array(2 * d.batch), 0, 0.8);
}

function meanSquareLoss(batch: number) {
  return (ys: Readonly<Float64Array>, dYs: Float64Array): number => {
    let L = 0;
    for (let i = 0; i < ys.length; i++) { L += ys[i] * ys[i] / batch; dYs[i] = 2 * ys[i] / batch; }
    return L;
  };
}

export function setup({ shard, shards, data }: ShardContext): ShardProblem {
  const d = data as SpiralShardData;
  if (d.setups !== undefined) Atomics.add(d.setups, 0, 1);
  if (d.batch % shards !== 0) throw new Error(`batch ${d.batch} is not divisible by ${shards} shards`);
  const m = d.batch / shards;
  const field = problems.neuralSpiralField(m, d.hidden ?? 50);
  const y0 = batchY0(d).slice(2 * m * shard, 2 * m * (shard + 1));
  return { field, y0, loss: meanSquareLoss(d.batch), solve: solveOptions(d) };
}

/** The unsplit problem (one field over the whole batch) and initial parameters from seed 0. */
export function batchProblem(d: SpiralShardData): ShardProblem & { params: Float64Array } {
  const field = problems.neuralSpiralField(d.batch, d.hidden ?? 50);
  const params = field.init(new Float64Array(field.paramCount), new Rng(0));
  return { field, y0: batchY0(d), loss: meanSquareLoss(d.batch), solve: solveOptions(d), params };
}
