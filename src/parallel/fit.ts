/**
 * A training loop over a {@link ParallelGradient}: `fit`'s loop (the same bookkeeping, src/train/fit-run.ts) with each
 * step's loss and gradient coming from the workers, so it is async. The shards' fields, losses and solve options live
 * in the shard module; minibatches travel as data: `batch(step, rng)` returns a structured-cloneable payload (e.g. the
 * indices of this step's samples), posted with the step's call to every worker, and each shard's batch hook turns it
 * into that shard's slice { y0, target }.
 */
import { TideError, checkOptions, checkFunction, fmtGot, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import type { Rng } from '../core/random.ts';
import type { FitOptions, FitResult } from '../train/fit.ts';
import { FitRun, checkRunOptions, now } from '../train/fit-run.ts';
import { checkPayload, type ParallelGradient } from './pool.ts';

/**
 * Options of {@link fitParallel}: fit's onStep, seed, rng, every, earlyStopping, log and resume mean what they mean
 * for {@link fit}; unknown keys are rejected with a TideError.
 */
export interface FitParallelOptions extends Pick<FitOptions, 'onStep' | 'seed' | 'rng' | 'every' | 'earlyStopping' | 'log' | 'resume'> {
  /** A pool from parallelGradient (not closed by fitParallel). */
  gradient: ParallelGradient;
  /** Trained in place (length gradient.paramCount). */
  params: Float64Array;
  /** The optimizer that updates params from each summed gradient (e.g. adam({ lr: 1e-2 })). */
  optimizer: Optimizer;
  /** Number of steps this call runs (after a resume: further steps, numbered on from the state's step). */
  steps: number;
  /**
   * Minibatch hook, called on this thread before each step with the step index and the loop's Rng, as fit's batch.
   * It returns the step's payload: structured-cloneable data (numbers, arrays, typed arrays, plain objects), such as
   * `{ idx: rng.choice(n, 16) }`, posted to every worker with the step's call; each shard's batch hook
   * (ShardProblem.batch) turns it into the shard's own { y0, target } (and t0, t1, saveAt, re-preparing its solve
   * when they change, as fit does).
   */
  batch?: (step: number, rng: Rng) => unknown;
}

/** What {@link fitParallel} returns: fit's result (losses, costs, why it stopped, the log and the state to resume from). */
export type FitParallelResult = FitResult;

const WHERE = 'fitParallel';
const KEYS = ['gradient', 'params', 'optimizer', 'steps', 'onStep', 'batch', 'seed', 'rng', 'every', 'earlyStopping', 'log', 'resume'];
const EXAMPLE = '{ gradient: pg, params, optimizer: adam(), steps: 100 }';

/**
 * Trains params in place with gradients from the workers (see {@link FitParallelOptions}); a run resumed from its
 * state is bit-identical to one longer run, and a run equals fit's on the batched problem up to the order of the
 * shard sums.
 * @throws TideError('BAD_OPTION' / 'SHAPE' / 'BAD_ARGUMENT') for bad options, synchronously; the promise rejects for
 *   a batch hook that throws or returns a payload that cannot be posted, and with the pool's errors (naming the shard)
 *   from a step.
 */
export function fitParallel(o: FitParallelOptions): Promise<FitParallelResult> {
  if (o === null || typeof o !== 'object') throw new TideError('BAD_OPTION', `${WHERE}: expected options such as ${EXAMPLE}, got ${fmtGot(o)}.`);
  checkOptions(WHERE, o, KEYS, EXAMPLE);
  for (const key of ['gradient', 'params', 'optimizer', 'steps'] as const) {
    if (o[key] === undefined) throw new TideError('BAD_OPTION', `${WHERE}: ${key} is required (fitParallel(${EXAMPLE})).`, { option: key });
  }
  const g = o.gradient as Partial<ParallelGradient> | undefined;
  if (g === null || typeof g !== 'object' || typeof g.valueAndGradient !== 'function') throw new TideError('BAD_OPTION', `${WHERE}: gradient must be a pool from await parallelGradient({ module, shards }), got ${fmtGot(o.gradient)}.`, { option: 'gradient' });
  if (!(o.params instanceof Float64Array) || o.params.length !== g.paramCount) throw new TideError('SHAPE', `${WHERE}: params must be a Float64Array of length ${g.paramCount} (the shards' paramCount), got ${describe(o.params)}.`, { option: 'params' });
  if (o.optimizer === null || typeof o.optimizer !== 'object' || typeof o.optimizer.step !== 'function') throw new TideError('BAD_OPTION', `${WHERE}: optimizer must be an optimizer such as adam({ lr: 1e-3 }), got ${fmtGot(o.optimizer)}.`, { option: 'optimizer' });
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new TideError('BAD_OPTION', `${WHERE}: steps must be a non-negative integer, got ${fmtGot(o.steps)}.`, { option: 'steps' });
  if (o.batch !== undefined) checkFunction(WHERE, 'batch', o.batch, '(step, rng) => payload (structured-cloneable, e.g. { idx: rng.choice(n, 16) })');
  checkRunOptions(WHERE, o);
  return train(o);
}

async function train(o: FitParallelOptions): Promise<FitParallelResult> {
  const fr = new FitRun(WHERE, o);
  for (let k = 0; k < o.steps; k++) {
    const step = fr.first + k;
    const t0 = now();
    let payload: unknown;
    if (o.batch) {
      try { payload = o.batch(step, fr.rng); } catch (e) { rethrowUser(WHERE, 'the batch hook', `step ${step}`, e, { step }); }
      if (payload === undefined) {
        throw new TideError('BAD_ARGUMENT', `${WHERE}: the batch hook returned undefined at step ${step}; return the step's payload, structured-cloneable data such as { idx: rng.choice(n, 16) } that the shards' batch hooks turn into their { y0, target }.`, { step });
      }
      checkPayload(WHERE, `the batch hook's payload at step ${step}`, payload);
    }
    const r = await o.gradient.valueAndGradient(o.params, payload);
    o.optimizer.step(o.params, r.dParams);
    const sec = (now() - t0) / 1000;
    if (fr.record(k, r.loss, r.report, sec)) break;
  }
  return fr.result();
}
