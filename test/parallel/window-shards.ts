/**
 * Shard module with minibatches, for the fitParallel tests: the spiral neural ODE (2 → hidden → 2 MLP on y³) trained
 * on a pool of `pool` initial states, each with a target trajectory (the state rotated by angle t and damped by
 * e^{−t/10}: a spiral the network is fitted to). Each step draws `batch` of them (`draw`: rng.choice), and the payload
 * `{ idx }` reaches every shard; shard s takes idx[s·m … (s + 1)·m) (m = batch / shards). The loss is mse with
 * reduction 'sum', so the shard losses add up to the loss of the whole minibatch, and single-thread `fit` over one
 * field of the whole batch (`fitProblem`, `fitBatch`) is the oracle.
 *
 * A payload with `ts` moves the save times (and t1 to the last of them), so the time grid changes with the step.
 * For the error tests a payload may carry `bad`: 'key' makes the hook return an unknown key, 'length' a y0 of the
 * wrong length, 'throw' makes it throw; `data.noHook` leaves the batch hook out (of shard data.noHook − 1, or of every shard if true).
 */
import { problems, Rng, mse, type ShardContext, type ShardProblem, type ShardBatch, type GradientSolveOptions, type FitBatch } from '../../src/index.ts';

export interface WindowShardData {
  /** Number of samples in the pool the minibatches are drawn from. */
  pool: number;
  /** Minibatch size (divisible by the shard count). */
  batch: number;
  hidden?: number;
  t1?: number;
  stepSize?: number;
  seed?: number;
  /** Leave out the batch hook: true for every shard, k for shard k − 1 only. */
  noHook?: boolean | number;
}

/** The payload a step posts: indices into the pool, and an optional fault for the error tests. */
export interface WindowPayload {
  idx: Int32Array | number[];
  /** Save times of this step (t1 = the last); default data's. */
  ts?: number[];
  bad?: 'key' | 'length' | 'throw';
}

function saveTimes(d: WindowShardData): number[] {
  const t1 = d.t1 ?? 0.5;
  return [t1 / 2, t1];
}

function solveOptions(d: WindowShardData): Omit<GradientSolveOptions, 'params'> {
  return { t1: d.t1 ?? 0.5, method: 'rk4', stepSize: d.stepSize ?? 0.1, saveAt: { ts: saveTimes(d) }, gradient: 'direct' };
}

/** The pool's initial states (pool × 2) from data.seed. */
export function poolY0(d: WindowShardData): Float64Array {
  return new Rng(d.seed ?? 1).fillNormal(new Float64Array(2 * d.pool), 0, 0.8);
}

/** y0 of the samples idx (idx.length × 2) and their targets, save-major as the solve saves them (saves × idx.length × 2). */
export function gather(d: WindowShardData, all: Float64Array, idx: ArrayLike<number>, ts = saveTimes(d)): { y0: Float64Array; target: Float64Array } {
  const n = idx.length;
  const y0 = new Float64Array(2 * n), target = new Float64Array(ts.length * 2 * n);
  for (let b = 0; b < n; b++) {
    const x = all[2 * idx[b]], y = all[2 * idx[b] + 1];
    y0[2 * b] = x; y0[2 * b + 1] = y;
    ts.forEach((t, j) => {
      const c = Math.cos(t), s = Math.sin(t), damp = Math.exp(-t / 10);
      target[j * 2 * n + 2 * b] = damp * (c * x - s * y);
      target[j * 2 * n + 2 * b + 1] = damp * (s * x + c * y);
    });
  }
  return { y0, target };
}

/** The step's draw: `batch` distinct indices into the pool; with `grids`, step k saves at grids[k mod grids.length]. */
export function draw(d: WindowShardData, grids?: number[][]) {
  return (step: number, rng: Rng): WindowPayload => {
    const idx = rng.choice(d.pool, d.batch);
    return grids === undefined ? { idx } : { idx, ts: grids[step % grids.length] };
  };
}

/** The batch's time grid for a payload: none (the solve's), or saveAt = ts and t1 = its last time. */
function gridOf(p: WindowPayload): { t1?: number; saveAt?: { ts: number[] } } {
  return p.ts === undefined ? {} : { t1: p.ts[p.ts.length - 1], saveAt: { ts: p.ts } };
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

export function setup({ shard, shards, data }: ShardContext): ShardProblem {
  const d = data as WindowShardData;
  if (d.batch % shards !== 0) throw new Error(`batch ${d.batch} is not divisible by ${shards} shards`);
  const m = d.batch / shards, all = poolY0(d);
  const field = problems.neuralSpiralField(m, d.hidden ?? 8);
  // Without a payload: the first `batch` samples of the pool, this shard's slice of them.
  const fixed = gather(d, all, range(m * shard, m * (shard + 1)));
  const batch = (payload: unknown): ShardBatch => {
    const p = payload as WindowPayload;
    if (p.bad === 'throw') throw new RangeError(`no sample ${p.idx[0]} in this pool`);
    const b = gather(d, all, Array.from(p.idx).slice(m * shard, m * (shard + 1)), p.ts);
    if (p.bad === 'key') return { ...b, ts: [0.5] } as ShardBatch;
    if (p.bad === 'length') return { y0: b.y0.subarray(1), target: b.target };
    return { ...b, ...gridOf(p) };
  };
  const hook = d.noHook === true || d.noHook === shard + 1 ? {} : { batch };
  return { field, y0: fixed.y0, loss: mse(fixed.target, { reduction: 'sum' }), solve: solveOptions(d), ...hook };
}

/** The whole minibatch as one field, for single-thread fit, with initial parameters from seed 0. */
export function fitProblem(d: WindowShardData) {
  const field = problems.neuralSpiralField(d.batch, d.hidden ?? 8);
  const params = field.init(new Float64Array(field.paramCount), new Rng(0));
  const fixed = gather(d, poolY0(d), range(0, d.batch));
  return { field, y0: fixed.y0, loss: mse(fixed.target, { reduction: 'sum' }), solve: solveOptions(d), params };
}

/** fit's batch hook drawing the same samples as fitParallel's `draw` from the same Rng. */
export function fitBatch(d: WindowShardData, grids?: number[][]) {
  const all = poolY0(d), pick = draw(d, grids);
  return (step: number, rng: Rng): FitBatch => {
    const p = pick(step, rng);
    return { ...gather(d, all, p.idx, p.ts), ...gridOf(p) };
  };
}
