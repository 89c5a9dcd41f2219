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

export interface FitOptions {
  /** The vector field or term being trained. */
  field: VectorField | Term;
  y0: Float64Array;
  /** Trained in place. */
  params: Float64Array;
  /** Solve and gradient options (t1, saveAt, method, gradient, …); params is supplied by fit. */
  solve: Omit<GradientSolveOptions, 'params'>;
  /** Loss of the saved outputs: returns L and writes ∂L/∂ys into dYs (zeroed before each call). */
  loss: (ys: Readonly<Float64Array>, dYs: Float64Array) => number;
  optimizer: Optimizer;
  steps: number;
  /** Called after every step with the loss of that step's forward pass and the gradient report. */
  onStep?: (info: FitStep) => void;
}

export interface FitStep {
  readonly step: number;
  readonly loss: number;
  readonly report: GradientReport;
  readonly sec: number;
}

export interface FitResult {
  /** Loss of every step (before that step's update). */
  readonly losses: Float64Array;
  readonly minLoss: number;
  readonly finalLoss: number;
  /** Largest peak bytes any step's gradient method reported. */
  readonly peakBytes: number;
  /** Seconds per step (wall clock, as measured by the clock given, default performance.now). */
  readonly stepSec: Float64Array;
  readonly lastReport: GradientReport | null;
}

// performance.now exists in browsers and Node, but is not in the ES library types the core is compiled with.
const perf = (globalThis as { performance?: { now(): number } }).performance;
const now = (): number => (perf !== undefined ? perf.now() : Date.now());

const FIT_KEYS = ['field', 'y0', 'params', 'solve', 'loss', 'optimizer', 'steps', 'onStep'];
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
}

export function fit(o: FitOptions): FitResult {
  checkFitOptions(o);
  const losses = new Float64Array(o.steps), stepSec = new Float64Array(o.steps);
  // One prepared solve for the whole run: workspaces, stage tapes and the method's buffers are built once.
  const prepared = prepareSolve(o.field, { ...o.solve, params: o.params });
  let dYs: Float64Array | null = null;
  let peakBytes = 0, minLoss = Infinity;
  let last: GradientReport | null = null;
  for (let k = 0; k < o.steps; k++) {
    const t0 = now();
    const run = prepared.run(o.y0, o.params);
    if (dYs === null || dYs.length !== run.ys.length) dYs = new Float64Array(run.ys.length);
    else dYs.fill(0);
    let L: number;
    try { L = o.loss(run.ys, dYs); } catch (e) { rethrowUser('fit', 'the loss', `step ${k}`, e, { step: k }); }
    if (typeof L !== 'number') throw new TideError('BAD_ARGUMENT', `fit: the loss must return a number (L), got ${fmtGot(L)} at step ${k}; it writes ∂L/∂ys into its second argument and returns L.`, { step: k });
    if (!Number.isFinite(L)) throw new TideError('NONFINITE', `fit: the loss is ${L} at step ${k}; lower the learning rate or check the data.`, { step: k });
    const bad = firstNonFinite(dYs);
    if (bad >= 0) throw new TideError('NONFINITE', `fit: the loss wrote ${dYs[bad]} into dYs[${bad}] at step ${k} (L = ${L} is finite); its derivative must be finite too. Check the loss's gradient formula.`, { step: k, index: bad });
    const g = run.backward(dYs);
    o.optimizer.step(o.params, g.dParams as Float64Array);
    const sec = (now() - t0) / 1000;
    losses[k] = L; stepSec[k] = sec;
    if (L < minLoss) minLoss = L;
    if (g.report.peakBytes > peakBytes) peakBytes = g.report.peakBytes;
    last = g.report;
    if (o.onStep) {
      try { o.onStep({ step: k, loss: L, report: g.report, sec }); } catch (e) { rethrowUser('fit', 'onStep', `step ${k}`, e, { step: k }); }
    }
  }
  return { losses, minLoss, finalLoss: o.steps > 0 ? losses[o.steps - 1] : NaN, peakBytes, stepSec, lastReport: last };
}
