/**
 * The interface every time stepper meets: explicit RK methods built from a tableau (erk.ts), VCAB3
 * (vcab3.ts) and the algebraically reversible schemes (reversible/). The one integration loop (src/solve/solve.ts)
 * drives any Solver through the same calls, on any Term (ODE, CDE, SDE, sums):
 *
 *     workspace(term)     once per solve shape: all scratch, allocated once
 *     begin(…)            at t0 (and after a tstop, which may be a jump): fresh stage data, solver state from y0
 *     step(…)             per attempted step: writes y_{n+1} and the error vector, returns the NFE spent
 *     accept(…)           per accepted step: dense coefficients if asked, advances FSAL/history/extra state
 *
 * Gradient methods never see Runge–Kutta internals: a solver that can be differentiated step by step hands out a
 * {@link StepPullback} (its discrete adjoint), and a reversible one also a {@link ReverseStepper} (exact inverse fused
 * with the pullback, McCallum & Foster 2024). The solver's state may hold more than y (the z of the λ-coupled scheme):
 * `stateParts` d-vectors in all, part 0 being y; checkpointing methods save and load whole states.
 */
import type { Norm, Tolerance } from '../control/norms.ts';
import type { Term } from '../terms/term.ts';
import type { PiGains, Tableau } from './tableau.ts';

/** What the loop (and messages) may read from any solver workspace. */
export interface SolverWorkspace {
  /** Length d of the flat state y. */
  readonly dim: number;
  /** The term the workspace was built for. */
  readonly term: Term;
  /** Stage outputs of the last attempted step (for messages that name a non-finite stage). */
  stepK: readonly Float64Array[];
  /** Tableau of the last attempted step, or null for a multistep (Adams) step. */
  stepTableau: Tableau | null;
  /** Set by the loop: keep what the stiffness estimate needs (a copy of one stage input per step). */
  trackStiffness: boolean;
  /** Copy of the stage input Y_x of the last step (x = stiffnessStages[0]), when tracked; else null. */
  readonly yStiff: Float64Array | null;
}

/** A time stepper. `W` is its workspace type. */
export interface Solver<W extends SolverWorkspace = SolverWorkspace> {
  /** The method string ('tsit5'). */
  readonly name: string;
  /** Order p of the propagated solution: drives controller exponents and the initial-step formula. */
  readonly order: number;
  /** Order q of the embedded error estimate; undefined when the solver has none (fixed steps only). */
  readonly errorOrder: number | undefined;
  /** Whether `solve` steps adaptively when the caller does not say. */
  readonly adaptiveByDefault: boolean;
  /** True for algebraically reversible schemes (they implement `reverse`). */
  readonly reversible: boolean;
  /** Number of d-vectors in the solver's state, y included (1 for RK methods, 2 for (y, z) of the λ-coupled scheme). */
  readonly stateParts: number;
  /**
   * True when saves should be step ends rather than interpolated (the reversible schemes: their dense output is only
   * linear): the loop then lands steps on the save times.
   */
  readonly landOnSaves: boolean;
  /** Default PI gains (β1, β2 of the PI controller, control/pi.ts). */
  readonly piGains: PiGains;
  /** Width of its dense coefficients (n-vectors per step), see dense/polynomial.ts. */
  readonly denseWidth: number;
  /** Order of its dense output (local error O(h^(order+1))). */
  readonly denseOrder: number;
  /** Stage pair for Shampine's stiffness estimate, or null (then the estimate is NaN). */
  readonly stiffnessStages: readonly [number, number] | null;
  /** Which terms it accepts: 'ode' (needs term.ode: VCAB3, whose history holds derivatives) or 'any'. */
  readonly terms: 'ode' | 'any';
  /** All scratch for one solve on `term`, allocated once. */
  workspace(term: Term): W;
  /**
   * Starts at (t0, y0): fresh stage data and history, and the extra state parts initialised from y0. With `restart`
   * (after a tstop, which may be a jump of the field) only stage data and history are refreshed; reversible solvers keep
   * their extra state so that the backward pass can rebuild it across the stop. Returns the NFE spent.
   */
  begin(t0: number, y0: Readonly<Float64Array>, params: Readonly<Float64Array>, ws: W, restart?: boolean): number;
  /** f(t_n, y_n) at the current point for ODE terms, when known (after begin, and after accept), else null. */
  currentF(ws: W): Float64Array | null;
  /**
   * One attempted step from (t, y) with signed step h: writes y(t + h) into yOut and, if errOut is non-null, the
   * local error vector. yOut must not alias y. Commits nothing. Returns the NFE spent.
   */
  step(yOut: Float64Array, errOut: Float64Array | null, t: number, h: number, y: Readonly<Float64Array>,
    params: Readonly<Float64Array>, ws: W): number;
  /** The error ratio E of the last attempt from its error vector (default: norm(err, y, yNew, rtol, atol)). */
  errorNorm?(norm: Norm, err: Float64Array, y: Readonly<Float64Array>, yNew: Readonly<Float64Array>, rtol: Tolerance,
    atol: Tolerance, ws: W): number;
  /**
   * Commits the last attempted step (t, h, y → yNew). If coefOut is non-null, writes its dense coefficients there
   * (denseWidth·n numbers). If needFEnd, makes f(t + h, yNew) available through currentF afterwards. Returns the NFE.
   */
  accept(coefOut: Float64Array | null, needFEnd: boolean, t: number, h: number, y: Readonly<Float64Array>,
    yNew: Readonly<Float64Array>, params: Readonly<Float64Array>, ws: W): number;
  /** Whether saveState/loadState can restart the solver mid-solve (checkpointing methods need it; VCAB3's history cannot). */
  readonly checkpointable: boolean;
  /** Writes the whole solver state at the current point (stateParts·d numbers: y, then extra parts) into out. */
  saveState(out: Float64Array, y: Readonly<Float64Array>, ws: W): void;
  /** Restores a state written by saveState: y ← part 0, extra parts into ws; forgets FSAL stage data. */
  loadState(y: Float64Array, state: Readonly<Float64Array>, ws: W): void;
  /** The discrete adjoint of this solver's steps, or undefined (then only continuous gradient methods apply). */
  pullback?(ws: W): StepPullback;
  /** Exact inverse fused with the pullback (reversible solvers only). */
  reverse?(ws: W): ReverseStepper;
  /** For messages and the reversible gradient method's stability checks: the tableau of an RK solver. */
  readonly tableau: Tableau | null;
  /**
   * For the λ-coupled reversible wrapper: its RK base and λ (stability analysis, adjoint solves, re-wrapping).
   * @property __type.base the explicit RK tableau the coupled scheme is built on.
   * @property __type.lambda the coupling parameter λ ∈ (0, 1] of McCallum & Foster 2024's forward step.
   */
  readonly coupling?: { readonly base: Tableau; readonly lambda: number };
}

/**
 * A save strictly inside a step: its index among the save times and θ = (τ − t_n)/h_n.
 * @property index position of the save among the forward's save times.
 * @property theta fraction θ = (τ − t_n)/h_n of the step at which the save lies, in (0, 1).
 */
export interface SaveInStep {
  readonly index: number;
  readonly theta: number;
}

/** Where saves sit on an accepted-step grid; built once per forward pass (gradients/save-schedule.ts). */
export interface SaveSchedule {
  /** Number of accepted steps N. */
  readonly steps: number;
  /** Save indices exactly at grid point n (t_n), or an empty list. */
  atPoint(n: number): readonly number[];
  /** Saves strictly inside step n, or an empty list. */
  inStep(n: number): readonly SaveInStep[];
  /** True if the solve restarted at grid point n (a tstop: f may jump there, so FSAL data does not carry over). */
  restartAt(n: number): boolean;
  /** The signed step size h_n the stages of step n used. */
  stepSize(n: number): number;
}

/**
 * What both backward-pass shapes share: the running cotangent, the final pull to y0, and their counters.
 * @property nfe evaluations of the term made since the last reset (re-advances and recomputed stages).
 */
export interface BackwardPass {
  /** Cotangents of the state parts at the current grid point (cot[0] = ∂L/∂y_n). */
  readonly cot: readonly Float64Array[];
  /** Pulls the cotangent of the initial solver state (state0, saveState layout) back to y0, into dY0. */
  finish(dY0: Float64Array, state0: Readonly<Float64Array>, t0: number, params: Readonly<Float64Array>, dParams: Float64Array): void;
  /** Clears the cotangents and counters (start of a backward pass). */
  reset(): void;
  /** VJPs and evaluations spent since the last reset (backward). */
  readonly vjps: number;
  readonly nfe: number;
  /** Bytes of the pass's own scratch. */
  readonly bytes: number;
}

/**
 * The discrete adjoint of one solver step (Hager's adjoint RK, reverse-mode AD of the step written out). It holds the
 * running cotangent of the whole solver state (`cot[0]` = ∂L/∂y) and pulls it from the end of a step to its start.
 * The stages a pullback uses come either from `restore` (what `record` captured in the forward pass: the direct
 * method) or from `recompute` (the step re-run from a state: checkpointing), whose stages keep their activations so the
 * VJPs do not evaluate the field again.
 */
export interface StepPullback extends BackwardPass {
  /** Numbers `record` writes per step. */
  readonly recordLength: number;
  /** Forward: captures what the pullback of the step just attempted needs (state at its start and its stages). */
  record(out: Float64Array, offset: number, y: Readonly<Float64Array>, yNew: Readonly<Float64Array>): void;
  /** Backward: makes the step recorded at offset the one `pullbackStep` pulls back through. */
  restore(buf: Readonly<Float64Array>, offset: number): void;
  /**
   * Backward: a re-advance, state (saveState layout) ← the state after step (t, h), without tape or error estimate.
   * `restart`: the step starts at a tstop where the solve restarted (its first stage is taken one ulp past t).
   */
  advance(t: number, h: number, state: Float64Array, params: Readonly<Float64Array>, restart?: boolean): void;
  /** Backward: re-runs step (t, h) from `state` (saveState layout) with taped stages. Writes the state after it into stateOut if given. */
  recompute(t: number, h: number, state: Readonly<Float64Array>, params: Readonly<Float64Array>, stateOut: Float64Array | null, restart?: boolean): void;
  /**
   * cot ← cotangent at t_n from the cotangent at t_{n+1}, through the restored or recomputed step n (t, h), adding
   * the cotangents dYs of the saves inside that step (schedule.inStep(n)); dParams accumulates ∂L/∂params.
   */
  pullbackStep(n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array,
    schedule: SaveSchedule, dYs: Readonly<Float64Array>): void;
}

/**
 * Reconstruction fused with the pullback, for reversible solvers (McCallum & Foster 2024, Algorithm 1 as in the
 * authors' code): from the state at t_{n+1} and its cotangent, rebuilds the state at t_n with the exact inverse and
 * pulls the cotangent back through the same step, at O(1) memory in the number of steps.
 */
export interface ReverseStepper extends BackwardPass {
  /**
   * state (at t + h, saveState layout) ← state at t; cot pulled back through step n (t, h), adding the cotangents of
   * the saves inside it (schedule.inStep(n)); dParams accumulates.
   */
  reverseStep(state: Float64Array, n: number, t: number, h: number, params: Readonly<Float64Array>, dParams: Float64Array,
    schedule: SaveSchedule, dYs: Readonly<Float64Array>): void;
}
