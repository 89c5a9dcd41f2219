/**
 * The optimizer interface and the `optimizer(name, options)` factory.
 *
 * Parameters are one flat Float64Array θ (the model is a pure function of it) and the gradient g = dL/dθ has the
 * same length. An optimizer updates θ in place, one update per `step(params, grads)`:
 *
 *     k = stepCount (0 at the first update), t = k + 1,   lr = schedule(k),
 *     g ← clip(g)            if clipNorm is set (global L2 norm ≤ clipNorm, in place)
 *     θ ← θ − lr · direction(g, moments, t)      (see sgd.ts, adam.ts, adamw.ts, adamax.ts, rmsprop.ts)
 *
 * Moment buffers are allocated on the first step for that parameter count; step() allocates nothing after that.
 * Which to use: `adam` is the robust default for neural ODEs; `adamw` when you want weight decay (the benchmarks
 * of the reversible-solver paper use AdamW lr 1e-2, wd 1e-5); `sgd` with momentum for large, well-conditioned
 * problems; `adamax` when gradients have rare large spikes; `rmsprop` to reproduce torchdiffeq's examples.
 */
import { unknownName } from '../core/errors.ts';
import type { Schedule } from './schedules.ts';
import { sgd, type SgdOptions } from './sgd.ts';
import { adam, type AdamOptions } from './adam.ts';
import { adamw, type AdamWOptions } from './adamw.ts';
import { adamax, type AdamaxOptions } from './adamax.ts';
import { rmsprop, type RmspropOptions } from './rmsprop.ts';

/** A first-order optimizer over one flat parameter vector. */
export interface Optimizer {
  /** The literature's short name: 'sgd' | 'adam' | 'adamw' | 'adamax' | 'rmsprop'. */
  readonly name: string;
  /**
   * Updates `params` in place from `grads` (same length; `grads` may be scaled in place by clipNorm). Both
   * Float64Arrays, or both Float32Arrays (a float32 model's params and the dParams of its vjp: the update runs in
   * float64 with float64 moments, and params receive it rounded to float32).
   * Returns the learning rate used, schedule(stepCount) before the update. Allocates nothing after the first call.
   * On any throw, params, moments and stepCount are unchanged.
   * @throws TideError('SHAPE') when lengths differ from each other or from the count the optimizer was set up for;
   *   TideError('NONFINITE') naming the first NaN/Infinity in grads and the step;
   *   TideError('BAD_OPTION') when an lr schedule returns a negative or non-finite value.
   */
  step(params: Float64Array | Float32Array, grads: Float64Array | Float32Array): number;
  /** Number of completed updates (the schedule's step index for the next update). */
  readonly stepCount: number;
  /** Learning rate the next update will use: schedule(stepCount). */
  learningRate(): number;
  /** Forgets moments, step count and the parameter count, as if new (the next step may use another length). */
  reset(): void;
  /** Plain-JSON snapshot of moments and step count, for checkpointing; JSON.stringify round-trips it exactly. */
  state(): OptimizerState;
  /**
   * Restores a snapshot from state() of an optimizer of the same name and buffer layout; training then continues
   * exactly as it would have. Hyperparameters (lr, betas) come from this optimizer, not from the snapshot.
   * @throws TideError('BAD_ARGUMENT') for another optimizer's state or malformed buffers.
   */
  loadState(s: OptimizerState): void;
}

/** Plain-JSON optimizer state (see {@link Optimizer.state}). */
export interface OptimizerState {
  /** Name of the optimizer that wrote it. */
  name: string;
  /** Completed updates. */
  stepCount: number;
  /** Parameter count the optimizer was set up for; null before its first step. */
  paramCount: number | null;
  /**
   * Per-parameter buffers, each of length paramCount: SGD with momentum `b`; Adam/AdamW `m`, `v` (and `vMax`
   * with amsgrad); Adamax `m`, `u`; RMSprop `v` (then `b` with momentum, `gAvg` when centered). Empty before the first step.
   */
  buffers: Record<string, number[]>;
}

/** Options every optimizer accepts. */
export interface CommonOptions {
  /** Learning rate: a finite number > 0, or a Schedule of the update index (see schedules.ts). */
  lr?: number | Schedule;
  /** If set (finite > 0), grads are scaled in place to global L2 norm ≤ clipNorm before each update. */
  clipNorm?: number;
}

/** Names accepted by {@link optimizer}. */
export type OptimizerName = 'sgd' | 'adam' | 'adamw' | 'adamax' | 'rmsprop';

/**
 * The options type of each optimizer name.
 * @property sgd options of {@link sgd}.
 * @property adam options of {@link adam}.
 * @property adamw options of {@link adamw}.
 * @property adamax options of {@link adamax}.
 * @property rmsprop options of {@link rmsprop}.
 */
export interface OptimizerOptionsByName {
  sgd: SgdOptions;
  adam: AdamOptions;
  adamw: AdamWOptions;
  adamax: AdamaxOptions;
  rmsprop: RmspropOptions;
}

/** Every name {@link optimizer} accepts, in a stable order. */
export const optimizerNames: readonly OptimizerName[] = ['sgd', 'adam', 'adamw', 'adamax', 'rmsprop'];

/**
 * Makes an optimizer by name, e.g. from a config file: `optimizer('adamw', { lr: 1e-2, weightDecay: 1e-5 })`.
 * Same as calling `sgd`, `adam`, `adamw`, `adamax` or `rmsprop` directly.
 * @throws TideError('UNKNOWN_NAME') for a name not in {@link optimizerNames} (with a "did you mean");
 *   TideError('BAD_OPTION') for an unknown option key (`lr0`, `betas1`) or an out-of-range value.
 */
export function optimizer<N extends OptimizerName>(name: N, options?: OptimizerOptionsByName[N]): Optimizer {
  switch (name as OptimizerName) {
    case 'sgd': return sgd(options as SgdOptions | undefined);
    case 'adam': return adam(options as AdamOptions | undefined);
    case 'adamw': return adamw(options as AdamWOptions | undefined);
    case 'adamax': return adamax(options as AdamaxOptions | undefined);
    case 'rmsprop': return rmsprop(options as RmspropOptions | undefined);
    default: throw unknownName('optimizer', 'optimizer', String(name), optimizerNames);
  }
}
