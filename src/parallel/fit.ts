/**
 * A training loop over a {@link ParallelGradient}: for `steps` iterations, the parallel value and gradient at params,
 * then one optimizer step. It is `fit`'s loop with the gradient coming from the workers, so it is async; the shards'
 * data, losses and solve options live in the shard module (minibatches: vary them in setup by ctx.data, or start a
 * new pool per data set).
 */
import { TideError, checkFunction, fmtGot, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import type { GradientReport } from '../gradients/method.ts';
import type { ParallelGradient } from './pool.ts';

/** Options of {@link fitParallel}. */
export interface FitParallelOptions {
  /** A pool from parallelGradient (not closed by fitParallel). */
  gradient: ParallelGradient;
  /** Trained in place (length gradient.paramCount). */
  params: Float64Array;
  /** The optimizer that updates params from each summed gradient (e.g. adam({ lr: 1e-2 })). */
  optimizer: Optimizer;
  /** Number of training steps (an integer ≥ 1). */
  steps: number;
  /** Called after every step with that step's loss (before the update), the combined report and the seconds taken. */
  onStep?: (info: { step: number; loss: number; report: GradientReport; sec: number }) => void;
}

/** What {@link fitParallel} returns once its steps are done. */
export interface FitParallelResult {
  /** The loss at each step, before that step's update (length steps). */
  readonly losses: Float64Array;
  /** The smallest of losses. */
  readonly minLoss: number;
  /** The loss of the last step (before its update). */
  readonly finalLoss: number;
  /** Wall-clock seconds of each step: the parallel gradient plus the optimizer update. */
  readonly stepSec: Float64Array;
  /** The combined gradient report of the last step (null if no step ran). */
  readonly lastReport: GradientReport | null;
}

const KEYS = ['gradient', 'params', 'optimizer', 'steps', 'onStep'];
const perf = (globalThis as { performance?: { now(): number } }).performance;
const now = (): number => (perf !== undefined ? perf.now() : Date.now());

/**
 * Trains params in place with gradients from the workers.
 * @throws TideError('BAD_OPTION' / 'SHAPE') for bad options, the pool's errors (naming the shard) from a step.
 */
export function fitParallel(o: FitParallelOptions): Promise<FitParallelResult> {
  const where = 'fitParallel';
  if (o === null || typeof o !== 'object') throw new TideError('BAD_OPTION', `${where}: expected { gradient, params, optimizer, steps }, got ${fmtGot(o)}.`);
  for (const k of Object.keys(o)) if (!KEYS.includes(k)) throw new TideError('BAD_OPTION', `${where}: unknown option '${k}'. Valid: ${KEYS.join(', ')}.`, { option: k });
  const g = o.gradient as Partial<ParallelGradient> | undefined;
  if (g === null || typeof g !== 'object' || typeof g.valueAndGradient !== 'function') throw new TideError('BAD_OPTION', `${where}: gradient must be a pool from await parallelGradient({ module, shards }), got ${fmtGot(o.gradient)}.`, { option: 'gradient' });
  if (!(o.params instanceof Float64Array) || o.params.length !== g.paramCount) throw new TideError('SHAPE', `${where}: params must be a Float64Array of length ${g.paramCount} (the shards' paramCount), got ${describe(o.params)}.`, { option: 'params' });
  if (o.optimizer === null || typeof o.optimizer !== 'object' || typeof o.optimizer.step !== 'function') throw new TideError('BAD_OPTION', `${where}: optimizer must be an optimizer such as adam({ lr: 1e-3 }), got ${fmtGot(o.optimizer)}.`, { option: 'optimizer' });
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new TideError('BAD_OPTION', `${where}: steps must be a non-negative integer, got ${fmtGot(o.steps)}.`, { option: 'steps' });
  if (o.onStep !== undefined) checkFunction(where, 'onStep', o.onStep, '({ step, loss, report, sec }) => void');
  return train(o, where);
}

async function train(o: FitParallelOptions, where: string): Promise<FitParallelResult> {
  const losses = new Float64Array(o.steps), stepSec = new Float64Array(o.steps);
  let minLoss = Infinity, last: GradientReport | null = null;
  for (let step = 0; step < o.steps; step++) {
    const t0 = now();
    const r = await o.gradient.valueAndGradient(o.params);
    o.optimizer.step(o.params, r.dParams);
    const sec = (now() - t0) / 1000;
    losses[step] = r.loss; stepSec[step] = sec; last = r.report;
    if (r.loss < minLoss) minLoss = r.loss;
    if (o.onStep) {
      try { o.onStep({ step, loss: r.loss, report: r.report, sec }); } catch (e) { rethrowUser(where, 'onStep', `step ${step}`, e, { step }); }
    }
  }
  return { losses, minLoss, finalLoss: o.steps > 0 ? losses[o.steps - 1] : NaN, stepSec, lastReport: last };
}
