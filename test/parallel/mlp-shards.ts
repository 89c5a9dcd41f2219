/**
 * Shard module for the MLP gradient rows of bench/scaling (and its test): the loss
 *
 *     L(θ) = (1 / 2B) · Σ_b |x_b + mlp(x_b; θ)|²
 *
 * of a dense H → H → H tanh MLP (mlp([H, H, H])) on a batch of B inputs x, i.e. a residual block, which is one explicit
 * Euler step of size 1 of the neural ODE dy/dt = mlp(y) from y(0) = x. That is how a shard states it to
 * parallelGradient (whose shards are solves): method 'euler', stepSize 1, t ∈ [0, 1], saved at t1 only, gradient
 * 'direct'. The batch is split into equal slices; the loss divides by the whole batch B, so the shard losses add up.
 *
 * Work per shard: one forward and one VJP of the model on its slice, as the in-process reference ({@link
 * batchGradient}: apply, loss, vjp). Direct backprop pulls each stage back through field.vjp, which by contract
 * re-evaluates f first; the field here ({@link memoField}) skips that re-evaluation when the VJP is asked at the very
 * point (t, y, params, compared by value) of its last eval, whose activations its workspace still holds. So a shard
 * does one forward, not two, and the summed gradient equals the batched one up to the order of the sums over the
 * batch (~1e-15 relative).
 */
import { mlp, Rng, kernels, type ShardContext, type ShardProblem, type VectorField, type Model, type ModelWorkspace } from '../../src/index.ts';

export interface MlpShardData {
  batch: number;
  hidden: number;
  /** Seed of the inputs x (default 1); the parameters come from seed 0 ({@link batchParams}). */
  seed?: number;
  /** Kernel backend the worker sets before building its shard ('wasm', 'js' or 'auto'); left as it is if absent. */
  backend?: 'wasm' | 'js' | 'auto';
}

/** The model of every shard: mlp([H, H, H]) with tanh, float64. */
export function mlpModel(d: MlpShardData): Model {
  return mlp([d.hidden, d.hidden, d.hidden], { activation: 'tanh' });
}

/** The whole batch's inputs x (batch × hidden), from data.seed. */
export function batchX(d: MlpShardData): Float64Array {
  return new Rng(d.seed ?? 1).fillNormal(new Float64Array(d.batch * d.hidden));
}

/** The model's initial parameters from seed 0. */
export function batchParams(d: MlpShardData): Float64Array {
  const model = mlpModel(d);
  const params = new Float64Array(model.paramCount);
  model.init(params, new Rng(0));
  return params;
}

/**
 * f(t, y; θ) = model(y; θ) on `batch` rows, whose vjp reuses the activations of the last eval when it is asked at that
 * same point (y and params equal element for element, same t); anywhere else it evaluates first, as field.vjp must.
 * `recomputes` counts the VJPs that had to evaluate again.
 */
export function memoField(model: Model, batch: number): VectorField & { recomputes: number } {
  const dim = batch * model.inDim, p = model.paramCount;
  const ws: ModelWorkspace = model.workspace(batch);
  // Private copies of the last eval's input, output and params: the model may keep references to x and out until vjp.
  const yAt = new Float64Array(dim), fAt = new Float64Array(dim), pAt = new Float64Array(p);
  let tAt = NaN, valid = false;
  const same = (a: Readonly<Float64Array>, b: Readonly<Float64Array>): boolean => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  };
  const evalAt = (t: number, y: Readonly<Float64Array>, params: Readonly<Float64Array>): void => {
    yAt.set(y); pAt.set(params); tAt = t;
    model.apply(fAt, pAt, yAt, ws, t);
    valid = true;
  };
  const field = {
    dim, paramCount: p, name: `${model.name} (memoised vjp)`, recomputes: 0,
    eval(out: Float64Array, t: number, y: Float64Array, params: Float64Array): void {
      evalAt(t, y, params);
      out.set(fAt);
    },
    vjp(dY: Float64Array, dParams: Float64Array | null, v: Float64Array, t: number, y: Float64Array, params: Float64Array, fOut?: Float64Array): number {
      if (!(valid && t === tAt && same(y, yAt) && same(params, pAt))) { field.recomputes++; evalAt(t, y, params); }
      if (fOut !== undefined) fOut.set(fAt);
      valid = false; // a model's vjp may overwrite its activations
      return model.vjp(dParams, dY, v, pAt, yAt, ws, t);
    },
  };
  return field;
}

/** ½|ys|² / B summed, ∂/∂ys = ys / B (B = the whole batch, so that the shard losses add up to the batch loss). */
function residualLoss(batch: number) {
  return (ys: Readonly<Float64Array>, dYs: Float64Array): number => {
    let L = 0;
    for (let i = 0; i < ys.length; i++) { const v = ys[i] / batch; L += 0.5 * ys[i] * v; dYs[i] = v; }
    return L;
  };
}

export function setup({ shard, shards, data }: ShardContext): ShardProblem {
  const d = data as MlpShardData;
  if (d.backend !== undefined) kernels.setBackend(d.backend);
  if (d.batch % shards !== 0) throw new Error(`batch ${d.batch} is not divisible by ${shards} shards`);
  const m = d.batch / shards, h = d.hidden;
  return {
    field: memoField(mlpModel(d), m),
    y0: batchX(d).slice(m * h * shard, m * h * (shard + 1)),
    loss: residualLoss(d.batch),
    // saveAt t1, not ts: [1]: a save in ts is read from the step's interpolant, for which Euler evaluates f(y1) too.
    solve: { t1: 1, method: 'euler', stepSize: 1, saveAt: { t1: true }, gradient: 'direct' },
  };
}

/**
 * The single-thread reference on the whole batch, with preallocated buffers: out = mlp(x), y = x + out,
 * L = ½|y|²/B, then one VJP with dOut = y/B. `run` overwrites and returns dParams (same array each call).
 */
export function batchGradient(d: MlpShardData): { params: Float64Array; run(params: Float64Array): { loss: number; dParams: Float64Array } } {
  const model = mlpModel(d), B = d.batch;
  const x = batchX(d), ws = model.workspace(B);
  const out = new Float64Array(x.length), dOut = new Float64Array(x.length), dX = new Float64Array(x.length);
  const dParams = new Float64Array(model.paramCount);
  return {
    params: batchParams(d),
    run(params) {
      model.apply(out, params, x, ws);
      let loss = 0;
      for (let i = 0; i < x.length; i++) { const y = x[i] + 1 * out[i], v = y / B; loss += 0.5 * y * v; dOut[i] = v; }
      dParams.fill(0);
      model.vjp(dParams, dX, dOut, params, x, ws);
      return { loss, dParams };
    },
  };
}
