/**
 * Gradient methods as objects: each is one way to run the forward loop and pull cotangents back, made by
 * a function that validates its own options — `direct()`, `checkpoint({ slots })`, `backsolve({ rtol })`,
 * `interpolated({ nodes })`, `reversible({ lambda })` — with the string names as shorthand for the defaults
 * (gradients/methods.ts). A new method is one new file implementing {@link GradientMethod}.
 *
 * Lifecycle: `prepare` runs once per problem shape (a prepared solve reuses its result across training steps); then,
 * per run, `beginForward` → the loop calls `onAccept` on every accepted step → `endForward` → any number of `backward`
 * calls. Methods see solvers only through `Solver.pullback` / `Solver.reverse` (never RK internals).
 *
 * Step sizes and accept/reject decisions of adaptive solves are constants for differentiation in every discrete
 * method, as in torchdiffeq and diffrax.
 */
import { TideError } from '../core/errors.ts';
import type { AcceptedStep, ResolvedOptions } from '../integrate/options.ts';
import type { Solution } from '../integrate/solution.ts';
import type { SaveSchedule, Solver, SolverWorkspace } from '../solvers/solver.ts';

/**
 * The accepted-step grid of a forward solve (signed steps; t_{n+1} = t_n + h_n up to landing rounding).
 * @property N number of accepted steps.
 */
export interface ForwardGrid {
  /** t_0 … t_N. */
  readonly times: Float64Array;
  /** h_0 … h_{N−1}: the step sizes the stages used. */
  readonly hs: Float64Array;
  /** restart[n] = 1 if the solver restarted at grid point n (a tstop). */
  readonly restart: Uint8Array;
  readonly N: number;
}

/**
 * What the driver hands a method's backward pass about the forward run it belongs to.
 * @property y0 the initial state the forward ran from.
 * @property solution the forward solution (saved rows, statistics, dense output if asked for).
 * @property grid the accepted-step grid.
 * @property extraTimes times of the rows of extraRows.
 */
export interface ForwardRecord {
  readonly y0: Readonly<Float64Array>;
  /** The parameters the forward ran with (a snapshot: an optimizer step since then does not change them). */
  readonly params: Readonly<Float64Array>;
  readonly solution: Solution;
  readonly grid: ForwardGrid;
  /** Where each saved row sits on the grid. */
  readonly schedule: SaveSchedule;
  /** Times of the rows of the cotangent dYs (the forward's save times, in order). */
  readonly saveTimes: Float64Array;
  /** The rows the method asked for beyond the user's (forwardNeeds.saveTimes), K_extra × d; empty otherwise. */
  readonly extraRows: Float64Array;
  readonly extraTimes: Float64Array;
}

/**
 * What a gradient method is prepared with: the checked forward options and the forward solver's workspace.
 * @property where caller name used as the prefix of error messages.
 */
export interface GradientContext {
  readonly where: string;
  /** The forward options as the loop runs them (term, solver, tolerances, tstops, saves). */
  readonly cfg: ResolvedOptions;
  /** The forward solver's workspace (persists across runs of a prepared solve). */
  readonly ws: SolverWorkspace;
}

/**
 * Costs a backward pass reports (f evaluations and VJPs counted separately).
 * @property method name of the gradient method that produced the report.
 * @property anchors reversible method: number of anchor states stored.
 * @property anchorEvery reversible method: steps between anchors.
 * @property segmentsRedone reversible method: segments re-run from an anchor because the drift exceeded the tolerance.
 */
export interface GradientReport {
  readonly method: string;
  /** f evaluations of the forward solve. */
  nfeForward: number;
  /** f evaluations made by the backward pass (re-advances, recomputed stages, augmented-state f terms). */
  nfeBackward: number;
  /** Vector–Jacobian products of f made by the backward pass. */
  vjpBackward: number;
  /** Accepted forward steps. */
  steps: number;
  /** Accepted and rejected steps of the backward solve (continuous adjoints), 0 for discrete methods. */
  backwardSteps: number;
  /** Peak bytes held by the method's own stores (states, stages, checkpoints, step grid, interpolation nodes, outputs). */
  peakBytes: number;
  /** The part of peakBytes that holds states (without saved outputs and the accepted-step grid). */
  stateBytes: number;
  /** States held at once at the peak (checkpoint slots; N + 1 for direct; nodes for interpolated). */
  effectiveCheckpoints: number;
  /** Reversible methods: max |reconstructed − true| over the initial solver state, relative to max(1, |state|). */
  reconstructionError?: number;
  /** Reversible method: the largest relative drift measured at an anchor, anchors stored, steps between them, segments redone. */
  maxAnchorDrift?: number;
  anchors?: number;
  anchorEvery?: number;
  segmentsRedone?: number;
}

/** The per-problem state of a gradient method (see the file header). */
export interface GradientRun {
  /**
   * What the forward solve must produce beyond the user's saves.
   * @property __type.saveTimes extra save times the method needs (interpolation nodes); their rows arrive in ForwardRecord.extraRows.
   * @property __type.dense true if the method needs the forward's dense output (interpolated with nodes 'dense', quadrature).
   */
  readonly forwardNeeds?: { readonly saveTimes?: Float64Array; readonly dense?: boolean };
  /** Called before every forward solve. */
  beginForward(y0: Readonly<Float64Array>): void;
  /** Called on every accepted forward step, before the solver commits it (its workspace still holds the step). */
  readonly onAccept?: (rec: AcceptedStep) => void;
  /** Called after the forward solve. */
  endForward(fwd: ForwardRecord): void;
  /**
   * Writes ∂L/∂y0 into dY0 and ∂L/∂params into dParams (both overwritten), given dYs = ∂L/∂(saved rows).
   * `onStep` (optional) is called after every backward step with (steps done, steps in all).
   */
  backward(fwd: ForwardRecord, dYs: Readonly<Float64Array>, dY0: Float64Array, dParams: Float64Array,
    onStep?: (done: number, total: number) => void): GradientReport;
}

/**
 * A gradient method: its name and how to prepare it for one solve.
 * @property name the method's name as reported ('direct', 'checkpoint', 'revolve', 'backsolve', 'interpolated', 'interpolated-dense', 'quadrature', 'reversible').
 */
export interface GradientMethod {
  readonly name: string;
  /** The solver the forward must run with, given the requested one (the reversible method wraps an RK method). */
  solverFor?(solver: Solver, where: string): Solver;
  /** Checks that the method applies (term, solver, options) and allocates what is reused across runs. */
  prepare(ctx: GradientContext): GradientRun;
}

/** A zeroed report. */
export function newReport(method: string): GradientReport {
  return { method, nfeForward: 0, nfeBackward: 0, vjpBackward: 0, steps: 0, backwardSteps: 0, peakBytes: 0, stateBytes: 0, effectiveCheckpoints: 0 };
}

/** Adds the cotangent rows of the saves at grid point n into cot (length d). */
export function addPointSaves(cot: Float64Array, schedule: SaveSchedule, n: number, dYs: Readonly<Float64Array>): void {
  const d = cot.length;
  for (const q of schedule.atPoint(n)) for (let m = 0, off = q * d; m < d; m++) cot[m] += dYs[off + m];
}

/** Grid bytes (times and step sizes). */
export const gridBytes = (g: ForwardGrid): number => 8 * (2 * g.N + 1);

/**
 * Per-step check of a backward pass (using the counts above; the message names the method, the backward step, its
 * time interval and which quantity went non-finite). One multiply-add per component: NaN/Inf make the sum NaN.
 */
export function checkBackwardStep(where: string, method: string, done: number, total: number, t: number, h: number,
  cot: readonly Float64Array[], dParams: Float64Array): void {
  let probe = 0;
  for (const c of cot) for (let m = 0; m < c.length; m++) probe += c[m] * 0;
  let pProbe = 0;
  for (let m = 0; m < dParams.length; m++) pProbe += dParams[m] * 0;
  if (probe === 0 && pProbe === 0) return;
  const what = probe !== 0
    ? 'the adjoint state (∂L/∂state) became non-finite: the VJP of f returned NaN or Inf at one of the step\'s stages (for example √y or log y at y = 0, or an overflow)'
    : 'the parameter cotangent (∂L/∂params) became non-finite: the VJP of f with respect to the parameters returned NaN or Inf';
  throw new TideError('NONFINITE', `${where}: ${what}, at backward step ${done} of ${total} (the forward step from t = ${t} to ${t + h}). Inspect the field's derivatives there, or use another gradient method.`, { method, step: done, t, h });
}
