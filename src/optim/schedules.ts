/**
 * Learning-rate schedules: a schedule is a plain function from the update index to a learning rate,
 *
 *     lr_k = schedule(k),   k = 0 for the first update, k = optimizer.stepCount before each update,
 *
 * so every optimizer takes `lr: number | Schedule` and a checkpointed step count resumes the schedule exactly.
 * Notation: η = peak `lr`, η_min = `minLr`, W = `warmupSteps`, S = `steps`, γ = `decayRate`, D = `decaySteps`.
 * Cosine annealing is Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts" (ICLR 2017),
 * eq. (5), without restarts; exponential and inverse-time decay follow TensorFlow/optax (`exponential_decay`,
 * `inverse_time_decay`). The constructors validate their options; the returned functions do no checking, so
 * a schedule of your own must return a finite lr ≥ 0 (the optimizer checks it before every update).
 */
import { checkOptionKeys } from '../core/errors.ts';
import {
  booleanOption, checkOptionsObject, isCount, isCountOrZero, isFiniteNonNegative, isFinitePositive, numberOption,
  requiredNumber,
} from './check.ts';

/** Learning rate as a function of the update index `step` (0 at the first update). Must return a finite lr ≥ 0. */
export type Schedule = (step: number) => number;

const LR_EXPECTED = 'a finite number > 0';
const LR_HINT = 'Typical values are 1e-3 for Adam and 1e-2 to 1e-1 for SGD.';

/**
 * The same learning rate at every step: lr_k = η.
 * @throws TideError('BAD_OPTION') when lr is not a finite number > 0.
 */
export function constant(lr: number): Schedule {
  const eta = requiredNumber('constant', 'lr', lr, isFinitePositive, LR_EXPECTED, LR_HINT);
  return (_step: number): number => eta;
}

/** Options of {@link cosine}. */
export interface CosineOptions {
  /** Peak learning rate η (reached at the end of warmup), finite > 0. */
  lr: number;
  /** Total length S of the schedule in updates, warmup included (integer ≥ 1); from step S on, lr = minLr. */
  steps: number;
  /** Final learning rate η_min, in [0, lr]. Default 0. */
  minLr?: number;
  /** Length W of the linear warmup in updates, an integer in [0, steps). Default 0 (no warmup). */
  warmupSteps?: number;
}
const COSINE_KEYS = ['lr', 'steps', 'minLr', 'warmupSteps'] as const;

/**
 * Cosine annealing from η to η_min over `steps` updates (SGDR, Loshchilov & Hutter 2017, eq. 5, one cycle),
 * after an optional linear warmup:
 *
 *     k < W:        lr_k = η · (k + 1) / W                                  (reaches η at k = W − 1)
 *     W ≤ k ≤ S:    lr_k = η_min + (η − η_min) · (1 + cos(π (k − W) / (S − W))) / 2
 *     k > S:        lr_k = η_min
 *
 * With W = 0: lr_0 = η, lr_{S/2} = (η + η_min)/2, lr_S = η_min. `steps` counts the whole schedule (pass
 * the number of training updates); for restarts, wrap it: `(k) => sched(k % period)`.
 * @throws TideError('BAD_OPTION') for lr ≤ 0, steps not an integer ≥ 1, minLr outside [0, lr], warmupSteps
 *   outside [0, steps), or an unknown option key.
 */
export function cosine(options: CosineOptions): Schedule {
  const where = 'cosine';
  checkOptionsObject(where, options, '{ lr: 1e-3, steps: 1000 }');
  checkOptionKeys(where, options, COSINE_KEYS);
  const o = (options ?? {}) as Partial<CosineOptions>;
  const eta = requiredNumber(where, 'lr', o.lr, isFinitePositive, LR_EXPECTED, LR_HINT);
  const steps = requiredNumber(where, 'steps', o.steps, isCount, 'an integer ≥ 1',
    'It is the number of updates the schedule spans, warmup included (usually the number of training steps).');
  const minLr = numberOption(where, 'minLr', o.minLr, 0, (v) => isFiniteNonNegative(v) && v <= eta,
    `a finite number in [0, lr] = [0, ${eta}]`, 'The schedule anneals down from lr to minLr.');
  const warmup = numberOption(where, 'warmupSteps', o.warmupSteps, 0, (v) => isCountOrZero(v) && v < steps,
    `an integer in [0, steps) = [0, ${steps})`, 'steps counts the whole schedule, warmup included.');
  const span = steps - warmup;
  const half = (eta - minLr) / 2;
  return (step: number): number => {
    if (step < warmup) return eta * (step + 1) / warmup;
    if (step >= steps) return minLr;
    return minLr + half * (1 + Math.cos(Math.PI * (step - warmup) / span));
  };
}

/** Options of {@link exponential}. */
export interface ExponentialOptions {
  /** Initial learning rate η, finite > 0. */
  lr: number;
  /** Factor γ applied every `decaySteps` updates, in (0, 1]. */
  decayRate: number;
  /** Updates D per factor of γ, finite > 0. Default 1. */
  decaySteps?: number;
  /** true: decay in whole jumps every D updates (floor(k / D)); false: smoothly. Default false. */
  staircase?: boolean;
}
const DECAY_KEYS = ['lr', 'decayRate', 'decaySteps', 'staircase'] as const;

/**
 * Exponential decay: lr_k = η · γ^(k / D), or η · γ^⌊k / D⌋ with `staircase` (TensorFlow `exponential_decay`).
 * For a step-wise schedule such as "×0.1 every 30 000 updates" use `{ decayRate: 0.1, decaySteps: 30000, staircase: true }`.
 * @throws TideError('BAD_OPTION') for lr ≤ 0, decayRate outside (0, 1], decaySteps ≤ 0, or an unknown option key.
 */
export function exponential(options: ExponentialOptions): Schedule {
  const where = 'exponential';
  checkOptionsObject(where, options, '{ lr: 1e-3, decayRate: 0.96, decaySteps: 1000 }');
  checkOptionKeys(where, options, DECAY_KEYS);
  const o = (options ?? {}) as Partial<ExponentialOptions>;
  const eta = requiredNumber(where, 'lr', o.lr, isFinitePositive, LR_EXPECTED, LR_HINT);
  const gamma = requiredNumber(where, 'decayRate', o.decayRate, (v) => v > 0 && v <= 1, 'a number in (0, 1]',
    'It is the factor per decaySteps updates; 0.96 or 0.1 are common, and 1 keeps lr constant.');
  const period = numberOption(where, 'decaySteps', o.decaySteps, 1, isFinitePositive, 'a finite number > 0');
  const staircase = booleanOption(where, 'staircase', o.staircase, false);
  return staircase
    ? (step: number): number => eta * Math.pow(gamma, Math.floor(step / period))
    : (step: number): number => eta * Math.pow(gamma, step / period);
}

/** Options of {@link inverseTime}. */
export interface InverseTimeOptions {
  /** Initial learning rate η, finite > 0. */
  lr: number;
  /** Decay rate γ ≥ 0 (finite): lr halves once γ·k/D reaches 1. */
  decayRate: number;
  /** Updates D per unit of decay, finite > 0. Default 1. */
  decaySteps?: number;
  /** true: use ⌊k / D⌋ instead of k / D. Default false. */
  staircase?: boolean;
}

/**
 * Inverse-time decay: lr_k = η / (1 + γ · k / D), or with ⌊k / D⌋ when `staircase` (TensorFlow
 * `inverse_time_decay`); the 1/k rate of Robbins–Monro stochastic approximation.
 * @throws TideError('BAD_OPTION') for lr ≤ 0, decayRate negative or not finite, decaySteps ≤ 0, or an unknown option key.
 */
export function inverseTime(options: InverseTimeOptions): Schedule {
  const where = 'inverseTime';
  checkOptionsObject(where, options, '{ lr: 1e-2, decayRate: 0.5, decaySteps: 100 }');
  checkOptionKeys(where, options, DECAY_KEYS);
  const o = (options ?? {}) as Partial<InverseTimeOptions>;
  const eta = requiredNumber(where, 'lr', o.lr, isFinitePositive, LR_EXPECTED, LR_HINT);
  const gamma = requiredNumber(where, 'decayRate', o.decayRate, isFiniteNonNegative, 'a finite number ≥ 0',
    'lr falls to lr / (1 + decayRate) after decaySteps updates; 0.5 is a common choice.');
  const period = numberOption(where, 'decaySteps', o.decaySteps, 1, isFinitePositive, 'a finite number > 0');
  const staircase = booleanOption(where, 'staircase', o.staircase, false);
  return staircase
    ? (step: number): number => eta / (1 + gamma * Math.floor(step / period))
    : (step: number): number => eta / (1 + gamma * step / period);
}

/**
 * Turns an optimizer's `lr` option into a schedule (internal): a number becomes a constant schedule, a function
 * is used as is. `where` names the optimizer in the message.
 */
export function toSchedule(where: string, lr: unknown, fallback: number): Schedule {
  if (typeof lr === 'function') return lr as Schedule;
  const eta = numberOption(where, 'lr', lr, fallback, isFinitePositive, `${LR_EXPECTED} or a Schedule`, LR_HINT);
  return (_step: number): number => eta;
}
