/**
 * DEQ backward modes as objects, chosen like the ODE gradient methods (`implicit({ solver: 'gmres' })`, `jfb()`,
 * `phantom({ k })`, `unrolled()`): a function checks the options, `prepare` allocates once per shape, and every
 * `backward` pulls a cotangent of z* back to θ and x, reporting VJPs and bytes held in the gradient methods'
 * GradientReport shape (plus the adjoint solve's residual).
 *
 * The adjoint of the fixed point (Bai et al. 2019, Theorem 1): with J = ∂f/∂z at z* and v = ∂ℓ/∂z*,
 * (I − J)ᵀ λ = v, dℓ/dθ = λᵀ ∂f/∂θ, dℓ/dx = λᵀ ∂f/∂x. The modes differ in how they approximate λ.
 */
import type { GradientReport } from '../../gradients/method.ts';
import type { DeqMap } from '../map.ts';
import type { ForwardSolver, IterMap } from '../forward/solver.ts';
import type { ForwardStats } from '../forward/termination.ts';

/**
 * What a backward mode is prepared with: the map and the batch size.
 * @property where caller name used as the prefix of error messages.
 * @property map the DEQ map f_θ(z, x) being differentiated.
 * @property batch number of rows the backward passes will see.
 */
export interface DeqBackwardContext {
  readonly where: string;
  readonly map: DeqMap;
  readonly batch: number;
  /** The forward solver (unrolled backprop requires a fixed-point iteration). */
  readonly solver: ForwardSolver;
}

/**
 * What the forward pass hands the backward pass.
 * @property zStar the fixed point z* [batch, zDim] the forward pass returned.
 * @property params the parameters θ the forward ran with.
 * @property x the injected input [batch, xDim].
 * @property forward the forward solve's statistics.
 */
export interface DeqRecord {
  readonly zStar: Readonly<Float64Array>;
  readonly params: Readonly<Float64Array>;
  readonly x: Readonly<Float64Array>;
  readonly forward: ForwardStats;
}

/**
 * A backward pass's costs (GradientReport's fields; steps = forward iterations, backwardSteps = adjoint iterations).
 * @property forward statistics of the forward root solve (iterations, residual, convergence).
 * @property backwardConverged whether the adjoint solve met its tolerance (true for modes that solve nothing).
 */
export interface DeqReport extends GradientReport {
  readonly forward: ForwardStats;
  /** Residual ‖(I − Jᵀ)λ − v‖ of the adjoint solve (implicit modes), else NaN. */
  backwardResidual: number;
  backwardConverged: boolean;
  /** Residual norms of the adjoint iterations (implicit modes), else empty. */
  backwardHistory: Float64Array;
}

/** A backward mode prepared for one map and batch size: holds its buffers and runs any number of backward passes. */
export interface DeqBackwardRun {
  /** Bytes this run's buffers hold. */
  readonly bytes: number;
  /** Modes that differentiate the iteration itself run the forward (and record what they need). */
  forward?(z: Float64Array, F: IterMap, params: Readonly<Float64Array>, x: Readonly<Float64Array>): ForwardStats;
  /** ACCUMULATES dℓ/dθ into dParams; OVERWRITES dX with dℓ/dx; dZ = ∂ℓ/∂z* is not modified. */
  backward(rec: DeqRecord, dZ: Readonly<Float64Array>, dParams: Float64Array, dX: Float64Array): DeqReport;
}

/**
 * A DEQ backward mode ({@link implicit}, {@link jfb}, {@link phantom}, {@link unrolled}): how dℓ/dθ and dℓ/dx are
 * obtained from ∂ℓ/∂z*.
 * @property name the mode's name as reported in {@link DeqReport}.
 * @property prepare checks that the mode applies to ctx (map, batch, forward solver) and allocates its buffers.
 */
export interface DeqBackward {
  readonly name: string;
  prepare(ctx: DeqBackwardContext): DeqBackwardRun;
}

export function newDeqReport(method: string, forward: ForwardStats): DeqReport {
  return {
    method, forward, nfeForward: forward.nfe, nfeBackward: 0, vjpBackward: 0, steps: forward.iterations, backwardSteps: 0,
    peakBytes: 0, stateBytes: 0, effectiveCheckpoints: 1, backwardResidual: NaN, backwardConverged: true, backwardHistory: new Float64Array(0),
  };
}
