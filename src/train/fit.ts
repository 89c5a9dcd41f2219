/**
 * A minimal training loop for neural ODEs: for `steps` iterations, solve forward with the chosen gradient method,
 * evaluate the loss of the saved outputs, pull it back to the parameters, and update them with an optimizer.
 * Core code (no Node APIs), so it runs in the browser demo as well as in the CLI and the benchmarks.
 */
import type { VectorField } from '../core/field.ts';
import type { Term } from '../terms/term.ts';
import { TideError, checkOptions, checkFunction, fmtGot, firstNonFinite, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { Optimizer } from '../optim/optimizer.ts';
import { prepareSolve } from '../gradients/solve.ts';
import type { GradientSolveOptions } from '../gradients/solve.ts';
import type { GradientReport } from '../gradients/method.ts';
import type { OptimizerState } from '../optim/optimizer.ts';
import type { Rng, RngState } from '../core/random.ts';
import { FitRun, checkRunOptions, now } from './fit-run.ts';
import { copyGrid, sameGrid } from './grid.ts';
import type { SaveAtOptions } from '../integrate/save-at.ts';

/** Options of {@link fit}. Required: field, y0, params, solve, loss, optimizer, steps; unknown keys are rejected with a TideError. */
export interface FitOptions {
  /** The vector field or term being trained. */
  field: VectorField | Term;
  /** Initial state, flat (length field.dim); a batch hook may replace it per step. */
  y0: Float64Array;
  /** Trained in place. */
  params: Float64Array;
  /** Solve and gradient options (t1, saveAt, method, gradient, …); params is supplied by fit. */
  solve: Omit<GradientSolveOptions, 'params'>;
  /**
   * Loss of the saved outputs: returns L and writes ∂L/∂ys into dYs (zeroed before each call). The third argument
   * is this step's minibatch from `batch` (undefined without one); mse(), l1() read its target.
   */
  loss: (ys: Readonly<Float64Array>, dYs: Float64Array, batch?: FitBatch) => number;
  /** Updates params in place from each step's ∂L/∂params (e.g. `adam({ lr: 1e-2 })`). */
  optimizer: Optimizer;
  /** Number of steps this call runs (after a resume: further steps, numbered on from the state's step). */
  steps: number;
  /** Called after every step with the loss of that step's forward pass and the gradient report. */
  onStep?: (info: FitStep) => void;
  /**
   * Minibatch hook, called before each step with the step index and fit's Rng (e.g. ode_demo.py's random windows
   * of the true trajectory: `{ y0: trueY[s], target: trueY[s … s + T] }`). Fields left out keep the solve's
   * (y0, t0, t1, saveAt); `target` is handed to the loss. The prepared solve is reused while t0, t1, saveAt and
   * y0's length stay the same as the previous step's, and re-prepared (workspaces allocated again) when any changes:
   * keep the time grid fixed and vary y0 / target for the fast path.
   */
  batch?: (step: number, rng: Rng) => FitBatch;
  /** Seed of fit's Rng (passed to batch). Default 0. Not with rng. */
  seed?: number;
  /** The Rng passed to batch (advanced in place). Not with seed. */
  rng?: Rng;
  /**
   * Calls fn after every n-th step (steps n−1, 2n−1, … counted from 0), e.g. for validation or printing.
   * @property __type.n the period, an integer ≥ 1.
   * @property __type.fn called with that step's {@link FitStep}; an exception it throws stops fit, naming the step.
   */
  every?: { n: number; fn: (info: FitStep) => void };
  /**
   * Stops when the loss has not fallen below (best − minDelta) for `patience` consecutive steps (minDelta ≥ 0,
   * default 0); the result's `stopped` says 'earlyStopping'. The step that triggers it has already updated params.
   * @property __type.patience steps without improvement before stopping, an integer ≥ 1.
   * @property __type.minDelta improvement below which a step does not count as one, ≥ 0; default 0.
   */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Collect one {@link FitLogRow} per step in result.log (see fitLogToJSON, fitLogToCSV). Default false. */
  log?: boolean;
  /**
   * Continue from a {@link FitState} (result.state of an earlier fit): params are overwritten from it, the optimizer
   * loads its state, and its Rng replaces seed / rng, so the run is bit-identical to one longer run.
   */
  resume?: FitState;
}

/** What a batch hook returns; every field is optional. */
export interface FitBatch {
  /** Initial state for this step (default: fit's y0). */
  readonly y0?: Float64Array;
  /** Handed to the loss as its third argument's target (mse(), l1() use it). */
  readonly target?: Float64Array;
  /** Start time for this step (default: the solve's t0). */
  readonly t0?: number;
  /** End time for this step (default: the solve's t1). */
  readonly t1?: number;
  /** Save times for this step (default: the solve's saveAt); the loss sees the rows of these saves. */
  readonly saveAt?: SaveAtOptions;
}

/** One row of fit's log. nfe_fwd / nfe_bwd are the gradient report's nfeForward / nfeBackward. */
export interface FitLogRow {
  /** Step index, counted from 0 over resumed runs. */
  readonly step: number;
  /** Loss of the step's forward pass (before its update). */
  readonly loss: number;
  /** Wall-clock seconds of the step (forward, loss, backward, update). */
  readonly sec: number;
  /** Vector-field evaluations of the forward solve. */
  readonly nfe_fwd: number;
  /** Vector-field evaluations of the backward pass. */
  readonly nfe_bwd: number;
}

/**
 * Training state, plain JSON (JSON.stringify round-trips it): params, the optimizer's state, the next step index,
 * fit's Rng, and the early-stopping counters. `fit({ ..., resume: state })` continues exactly.
 */
export interface FitState {
  /** Parameters after the last step, as a plain array. */
  readonly params: number[];
  /** The optimizer's state (moments, step count), from `optimizer.state()`. */
  readonly optimizerState: OptimizerState;
  /** Index of the next step to run. */
  readonly step: number;
  /** State of fit's Rng after the last step (`Rng.fromState` restores it). */
  readonly rng: RngState;
  /** Best loss so far and steps since it improved (early stopping); best is null before any step. */
  readonly best: number | null;
  /** Steps since the best loss last improved. */
  readonly wait: number;
}

/** What `onStep` and `every.fn` receive after each step. */
export interface FitStep {
  /** Step index, counted from 0 over resumed runs. */
  readonly step: number;
  /** Loss of the step's forward pass (before its update). */
  readonly loss: number;
  /** The gradient method's report for this step (NFE, VJPs, bytes held). */
  readonly report: GradientReport;
  /** Wall-clock seconds of the step (forward, loss, backward, update). */
  readonly sec: number;
}

/** What {@link fit} returns: the loss history, costs, why it stopped, and the state to resume from. */
export interface FitResult {
  /** Loss of every step (before that step's update). */
  readonly losses: Float64Array;
  /** Smallest loss of this call's steps (Infinity if none ran). */
  readonly minLoss: number;
  /** Loss of the last step run (NaN if none ran). */
  readonly finalLoss: number;
  /** Largest peak bytes any step's gradient method reported. */
  readonly peakBytes: number;
  /** Seconds per step (wall clock, as measured by the clock given, default performance.now). */
  readonly stepSec: Float64Array;
  /** Gradient report of the last step run, or null if none ran. */
  readonly lastReport: GradientReport | null;
  /** Steps run by this call (fewer than `steps` after early stopping). */
  readonly stepsRun: number;
  /** Why the run ended. */
  readonly stopped: 'steps' | 'earlyStopping';
  /** Per-step rows when `log: true`, else empty. */
  readonly log: readonly FitLogRow[];
  /** State to resume from. */
  readonly state: FitState;
}

const FIT_KEYS = ['field', 'y0', 'params', 'solve', 'loss', 'optimizer', 'steps', 'onStep', 'batch', 'seed', 'rng', 'every', 'earlyStopping', 'log', 'resume'];
const FIT_EXAMPLE = '{ field, y0, params, solve: { t1: 1 }, loss, optimizer: adam(), steps: 100 }';

/** Checks fit's options (the solve options and the field are checked by prepareSolve). */
function checkFitOptions(o: FitOptions): void {
  if (o === undefined) throw new TideError('BAD_OPTION', `fit: expected options such as ${FIT_EXAMPLE}, got undefined.`);
  checkOptions('fit', o, FIT_KEYS, FIT_EXAMPLE);
  for (const key of ['field', 'y0', 'params', 'solve', 'loss', 'optimizer', 'steps'] as const) {
    if (o[key] === undefined) throw new TideError('BAD_OPTION', `fit: ${key} is required (fit(${FIT_EXAMPLE})).`, { option: key });
  }
  if (!Number.isInteger(o.steps) || o.steps < 0) throw new TideError('BAD_OPTION', `fit: steps must be a non-negative integer, got ${fmtGot(o.steps)}.`, { option: 'steps' });
  for (const key of ['y0', 'params'] as const) {
    if (!(o[key] instanceof Float64Array)) {
      throw new TideError('DTYPE', `fit: ${key} must be a Float64Array${key === 'params' ? ' (trained in place)' : ''}, got ${describe(o[key])}.${Array.isArray(o[key]) ? ' Use Float64Array.from(...).' : ''}`, { option: key });
    }
  }
  if (o.solve === null || typeof o.solve !== 'object' || Array.isArray(o.solve)) {
    throw new TideError('BAD_OPTION', `fit: solve must be an object of solve options such as { t1: 1, saveAt: { ts } }, got ${fmtGot(o.solve)}.`, { option: 'solve' });
  }
  checkFunction('fit', 'loss', o.loss, '(ys, dYs) => number that returns L and writes ∂L/∂ys into dYs');
  const opt = o.optimizer as Partial<Optimizer> | null;
  if (opt === null || typeof opt !== 'object' || typeof opt.step !== 'function') {
    throw new TideError('BAD_OPTION', `fit: optimizer must be an optimizer such as adam({ lr: 1e-3 }) or optimizer('adamw'), got ${fmtGot(o.optimizer)}.`, { option: 'optimizer' });
  }
  if (o.onStep !== undefined) checkFunction('fit', 'onStep', o.onStep, '({ step, loss, report, sec }) => void');
  if (o.batch !== undefined) checkFunction('fit', 'batch', o.batch, '(step, rng) => ({ y0?, target?, t0?, t1?, saveAt? })');
  checkRunOptions('fit', o);
}

/**
 * Trains `params` in place for `steps` steps (see {@link FitOptions}); returns the losses, timings, an optional
 * per-step log and a {@link FitState} to resume from.
 * @throws TideError('BAD_OPTION' / 'DTYPE' / 'SHAPE') for bad options (unknown keys with a "did you mean");
 *   TideError('NONFINITE') for a non-finite loss or ∂L/∂ys; TideError('USER_FUNCTION') when the loss or a callback throws.
 */
export function fit(o: FitOptions): FitResult {
  checkFitOptions(o);
  const fr = new FitRun('fit', o), rng = fr.rng, first = fr.first;
  // One prepared solve while the time grid stays the same: workspaces, stage tapes and the method's buffers are built once.
  let prepared: ReturnType<typeof prepareSolve> | null = null;
  let grid: FitBatch | undefined, y0Len = -1;
  const prepare = (b: FitBatch | undefined, y0: Float64Array): ReturnType<typeof prepareSolve> => {
    if (prepared !== null && y0.length === y0Len && sameGrid(grid, b)) return prepared;
    const solve: Record<string, unknown> = { ...o.solve, params: o.params };
    if (b?.t0 !== undefined) solve.t0 = b.t0;
    if (b?.t1 !== undefined) solve.t1 = b.t1;
    if (b?.saveAt !== undefined) solve.saveAt = b.saveAt;
    prepared = prepareSolve(o.field, solve as unknown as GradientSolveOptions);
    grid = b === undefined ? undefined : { t0: b.t0, t1: b.t1, saveAt: b.saveAt && copyGrid(b.saveAt) };
    y0Len = y0.length;
    return prepared;
  };
  // Without a batch hook the grid never changes: prepare (and validate the solve options) before the first step.
  if (!o.batch) prepare(undefined, o.y0);
  let dYs: Float64Array | null = null;
  for (let k = 0; k < o.steps; k++) {
    const step = first + k;
    const t0 = now();
    let b: FitBatch | undefined;
    if (o.batch) {
      try { b = o.batch(step, rng); } catch (e) { rethrowUser('fit', 'the batch hook', `step ${step}`, e, { step }); }
      b = checkBatch(b, step);
    }
    const y0 = b?.y0 ?? o.y0;
    const sol = prepare(b, y0).run(y0, o.params);
    if (dYs === null || dYs.length !== sol.ys.length) dYs = new Float64Array(sol.ys.length);
    else dYs.fill(0);
    let L: number;
    try { L = o.loss(sol.ys, dYs, b); } catch (e) { rethrowUser('fit', 'the loss', `step ${step}`, e, { step }); }
    if (typeof L !== 'number') throw new TideError('BAD_ARGUMENT', `fit: the loss must return a number (L), got ${fmtGot(L)} at step ${step}; it writes ∂L/∂ys into its second argument and returns L.`, { step });
    if (!Number.isFinite(L)) throw new TideError('NONFINITE', `fit: the loss is ${L} at step ${step}; lower the learning rate or check the data.`, { step });
    const bad = firstNonFinite(dYs);
    if (bad >= 0) throw new TideError('NONFINITE', `fit: the loss wrote ${dYs[bad]} into dYs[${bad}] at step ${step} (L = ${L} is finite); its derivative must be finite too. Check the loss's gradient formula.`, { step, index: bad });
    const g = sol.backward(dYs);
    o.optimizer.step(o.params, g.dParams as Float64Array);
    const sec = (now() - t0) / 1000;
    if (fr.record(k, L, g.report, sec)) break;
  }
  return fr.result();
}

const BATCH_KEYS = ['y0', 'target', 't0', 't1', 'saveAt'];

function checkBatch(b: unknown, step: number): FitBatch {
  if (b === null || typeof b !== 'object' || Array.isArray(b) || ArrayBuffer.isView(b)) {
    throw new TideError('BAD_ARGUMENT', `fit: the batch hook must return an object such as { y0, target }, got ${fmtGot(b)} at step ${step}.`, { step });
  }
  checkOptions(`fit: the batch of step ${step}`, b, BATCH_KEYS, '{ y0, target, t0, t1, saveAt }');
  const x = b as FitBatch;
  for (const key of ['y0', 'target'] as const) {
    if (x[key] !== undefined && !(x[key] instanceof Float64Array)) {
      throw new TideError('DTYPE', `fit: the batch's ${key} must be a Float64Array, got ${describe(x[key])} at step ${step}.`, { step, option: key });
    }
  }
  for (const key of ['t0', 't1'] as const) {
    if (x[key] !== undefined && (typeof x[key] !== 'number' || !Number.isFinite(x[key]))) {
      throw new TideError('BAD_ARGUMENT', `fit: the batch's ${key} must be a finite number, got ${fmtGot(x[key])} at step ${step}.`, { step, option: key });
    }
  }
  return x;
}

function checkRows(where: string, rows: unknown): void {
  if (!Array.isArray(rows)) throw new TideError('BAD_ARGUMENT', `${where}: expected the rows of result.log (fit with log: true), got ${fmtGot(rows)}.`, {});
  for (let i = 0; i < rows.length; i++) {
    const r: unknown = rows[i];
    if (r === null || typeof r !== 'object' || typeof (r as FitLogRow).step !== 'number' || typeof (r as FitLogRow).loss !== 'number') {
      throw new TideError('BAD_ARGUMENT', `${where}: rows[${i}] must be a log row { step, loss, sec, nfe_fwd, nfe_bwd }, got ${fmtGot(r)}.`, { index: i });
    }
  }
}

/** The log as a JSON array of { step, loss, sec, nfe_fwd, nfe_bwd } (a string; write it where you like). */
export function fitLogToJSON(rows: readonly FitLogRow[]): string {
  checkRows('fitLogToJSON', rows);
  return JSON.stringify(rows.map((r) => ({ step: r.step, loss: r.loss, sec: r.sec, nfe_fwd: r.nfe_fwd, nfe_bwd: r.nfe_bwd })));
}

/** The log as CSV with the header `step,loss,sec,nfe_fwd,nfe_bwd` and one line per row (numbers at full precision). */
export function fitLogToCSV(rows: readonly FitLogRow[]): string {
  checkRows('fitLogToCSV', rows);
  let s = 'step,loss,sec,nfe_fwd,nfe_bwd\n';
  for (const r of rows) s += `${r.step},${r.loss},${r.sec},${r.nfe_fwd},${r.nfe_bwd}\n`;
  return s;
}
