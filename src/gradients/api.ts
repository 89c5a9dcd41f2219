/**
 * The gradient entry points. `solveWithGradient` runs the forward solve with the chosen gradient method and returns
 * the outputs at the save times with a `backward(dYs)` that gives ∂L/∂y0 and ∂L/∂params for any cotangent of them;
 * `valueAndGradient` wraps it around a loss function.
 *
 *   const run = solveWithGradient(field, y0, { t0: 0, t1: 25, ts, params, method: 'dopri5', rtol: 1e-7, atol: 1e-9,
 *                                             gradient: 'backsolve', adjointNorm: 'seminorm' });
 *   const { dY0, dParams, report } = run.backward(dYs);   // dYs: ∂L/∂ys, same layout as run.ys
 *
 * Methods (option `gradient`): 'direct' (default), 'revolve' and 'checkpoint' (recursive checkpointing, option
 * `checkpoints`), 'backsolve', 'interpolated' (IRDM on Chebyshev nodes, option `chebyshevNodes`) and
 * 'interpolated-dense'. In the discrete methods adaptive step sizes are constants (not differentiated), as in
 * torchdiffeq and diffrax.
 */
import type { VectorField } from '../core/field.ts';
import { checkParams, requireVjp } from '../core/field.ts';
import { TideError, checkOptionKeys, unknownName, checkFinite } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { SolveOptions } from '../solve/options.ts';
import type { Solution } from '../solve/solution.ts';
import { resolveSolver } from '../solvers/registry.ts';
import type { Tolerance } from '../control/norms.ts';
import { GRADIENT_METHODS } from './method.ts';
import type { GradientMethodName, GradientResult } from './method.ts';
import { directForward } from './direct.ts';
import { revolveForwardRun, checkpointForwardRun } from './checkpoint.ts';
import { backsolveRun, interpolatedRun } from './backsolve.ts';
import { ADJOINT_NORMS } from './adjoint-norms.ts';
import type { AdjointNorm } from './adjoint-norms.ts';
import type { ChebyshevWeights } from './chebyshev.ts';
import { requireTableau } from './forward.ts';
import { defaultCheckpoints } from './online-checkpoint.ts';
import { reversibleRun } from './reversible.ts';
import type { ReversibleRun } from './reversible.ts';
import type { ReversibleScheme } from '../solvers/reversible/scheme.ts';
import { CoupledScheme, DEFAULT_LAMBDA } from '../solvers/reversible/coupled.ts';
import { ReversibleHeun } from '../solvers/reversible/reversible-heun.ts';
import { Mali } from '../solvers/reversible/mali.ts';
import type { ReversibleForward } from '../solve/reversible-solve.ts';
import type { PiGains } from '../solvers/tableau.ts';

export interface GradientSolveOptions {
  t0?: number;
  t1: number;
  params?: Float64Array;
  /** Save times of the outputs the loss depends on (increasing, in [t0, t1]); default [t1]. */
  ts?: readonly number[] | Float64Array;
  method?: SolveOptions['method'];
  dp5ErrorWeights?: SolveOptions['dp5ErrorWeights'];
  stepSize?: number;
  adaptive?: boolean;
  rtol?: Tolerance;
  atol?: Tolerance;
  controller?: SolveOptions['controller'];
  maxSteps?: number;
  minStep?: number;
  maxStep?: number;
  tstops?: SolveOptions['tstops'];
  /** Gradient method (default 'direct'). */
  gradient?: GradientMethodName;
  /** Snapshot slots for 'revolve' / 'checkpoint', y0's included (default: ⌊−1.5 + √(2·maxSteps + 0.25)⌋ + 1 for the
   * steps the forward took, the diffrax rule). */
  checkpoints?: number;
  /** Backward-solve tolerances (default: the forward ones) and norm for 'backsolve' / 'interpolated*'. */
  adjointRtol?: number;
  adjointAtol?: number;
  /** 'rms' (default: max of per-block RMS, as torchdiffeq), 'seminorm' (the same ignoring the parameter adjoint),
   * 'rms-flat' or 'seminorm-flat' (one RMS over the components, as diffrax). See adjoint-norms.ts. */
  adjointNorm?: AdjointNorm;
  /** Solver of the backward solve (default: the forward method). */
  adjointMethod?: SolveOptions['method'];
  adjointMaxSteps?: number;
  /** Chebyshev nodes for 'interpolated' (default 32) and their weights ('lobatto' default, or 'irdm-paper'). */
  chebyshevNodes?: number;
  chebyshevWeights?: ChebyshevWeights;
  /**
   * Also return ∂L/∂ts[q] = g_q · f(ts[q], y(ts[q])) and ∂L/∂t0 = −(∂L/∂y0) · f(t0, y0): the derivatives of the exact flow
   * (one f evaluation per save time, plus one). For the discrete methods they hold to the solver's accuracy, since
   * step sizes are not differentiated. Default false.
   */
  timeGradients?: boolean;
  /** Coupling λ ∈ (0, 1] of the reversible wrapper (gradient 'reversible' / 'reversible-direct'; default 0.999). */
  lambda?: number;
}

const KEYS = ['t0', 't1', 'params', 'ts', 'method', 'dp5ErrorWeights', 'stepSize', 'adaptive', 'rtol', 'atol', 'controller',
  'maxSteps', 'minStep', 'maxStep', 'tstops', 'gradient', 'checkpoints', 'adjointRtol', 'adjointAtol', 'adjointNorm',
  'adjointMethod', 'adjointMaxSteps', 'chebyshevNodes', 'chebyshevWeights', 'lambda', 'timeGradients'];

export interface GradientSolve {
  /** Save times (the `ts` option, or [t1]). */
  readonly ts: Float64Array;
  /** Outputs y(ts[q]), K rows of length dim (row-major). */
  readonly ys: Float64Array;
  /** Row q of ys (a view). */
  y(q: number): Float64Array;
  /** The forward solve (statistics, step sizes); null for the reversible methods (see `reversible`). */
  readonly solution: Solution | null;
  /** The reversible forward pass (grid, final state, NFE) for gradient 'reversible' / 'reversible-direct'. */
  readonly reversible: ReversibleForward | null;
  readonly method: GradientMethodName;
  /** ∂L/∂y0 and ∂L/∂params for dYs = ∂L/∂ys (same layout as ys). May be called more than once. */
  backward(dYs: Readonly<Float64Array>): GradientResult;
}

export function solveWithGradient(field: VectorField, y0: Float64Array, options: GradientSolveOptions): GradientSolve {
  const where = 'solveWithGradient';
  if (typeof options !== 'object' || options === null) throw new TideError('BAD_OPTION', `${where}: options must be an object with at least t1, got ${describe(options)}.`);
  checkOptionKeys(where, options, KEYS);
  requireVjp(where, field);
  const gradient = options.gradient ?? 'direct';
  if (!GRADIENT_METHODS.includes(gradient)) throw unknownName(where, 'gradient method', String(gradient), GRADIENT_METHODS);
  const t0 = options.t0 ?? 0, t1 = options.t1;
  if (typeof t1 !== 'number' || !Number.isFinite(t1) || !(t1 > t0)) {
    throw new TideError('BAD_OPTION', `${where}: need finite t0 < t1 (got t0 = ${t0}, t1 = ${String(t1)}); gradients of backward-in-time solves are not supported yet, reverse time in f instead.`, { option: 't1' });
  }
  const params = options.params ?? new Float64Array(0);
  checkParams(where, field, params);
  const ts = Float64Array.from(options.ts ?? [t1]);
  if (ts.length === 0) throw new TideError('BAD_OPTION', `${where}: ts is empty; give the save times the loss depends on (default [t1]).`, { option: 'ts' });
  checkFinite(where, 'ts', ts);
  for (let q = 0; q < ts.length; q++) {
    if (ts[q] < t0 || ts[q] > t1) throw new TideError('BAD_OPTION', `${where}: save time ts[${q}] = ${ts[q]} is outside [t0, t1] = [${t0}, ${t1}].`, { option: 'ts', index: q });
    if (q > 0 && !(ts[q] > ts[q - 1])) throw new TideError('BAD_OPTION', `${where}: ts must be strictly increasing; ts[${q - 1}] = ${ts[q - 1]}, ts[${q}] = ${ts[q]}.`, { option: 'ts', index: q });
  }
  const solveOptions: SolveOptions = {
    t0, t1, params, method: options.method ?? 'tsit5', dp5ErrorWeights: options.dp5ErrorWeights, stepSize: options.stepSize,
    adaptive: options.adaptive, rtol: options.rtol, atol: options.atol, controller: options.controller, maxSteps: options.maxSteps,
    minStep: options.minStep, maxStep: options.maxStep, tstops: options.tstops,
  };
  for (const k of Object.keys(solveOptions) as (keyof SolveOptions)[]) if (solveOptions[k] === undefined) delete solveOptions[k];
  const d = field.dim;
  if (options.lambda !== undefined && gradient !== 'reversible' && gradient !== 'reversible-direct') {
    throw new TideError('BAD_OPTION', `${where}: lambda is the coupling of the reversible solvers; it needs gradient: 'reversible' (got '${gradient}').`, { option: 'lambda' });
  }
  if (gradient === 'reversible' || gradient === 'reversible-direct') {
    const r = reversibleGradientRun(field, y0, params, ts, options, gradient === 'reversible-direct');
    const ys = r.ys;
    return {
      ts, ys, solution: null, reversible: r.forward, method: gradient,
      y: (q) => ys.subarray(q * d, (q + 1) * d),
      backward: (dYs) => { checkCotangent(where, dYs, ys.length, ts.length, d); return withTimes(r.backward(dYs), dYs, ys); },
    };
  }
  const solver = resolveSolver(solveOptions.method!, where);
  let run: { solution: Solution; ys: Float64Array; backward(dYs: Readonly<Float64Array>): GradientResult };
  if (gradient === 'direct' || gradient === 'revolve' || gradient === 'checkpoint') {
    const tableau = requireTableau(where, solver.tableau, solver.name);
    if (gradient === 'direct') {
      const r = directForward(field, y0, params, ts, tableau, solveOptions);
      run = { solution: r.solution, ys: r.solution.ys, backward: r.backward };
    } else {
      const c = options.checkpoints;
      if (c !== undefined && (!Number.isInteger(c) || c < 1)) {
        throw new TideError('BAD_OPTION', `${where}: checkpoints must be an integer ≥ 1 (slots including y0's), got ${c}. With 1 every step is recomputed from y0; 2 to 50 are typical.`, { option: 'checkpoints' });
      }
      const slots = c ?? defaultCheckpoints(options.maxSteps ?? 1000);
      const r = gradient === 'revolve'
        ? revolveForwardRun(field, y0, params, ts, tableau, solveOptions, slots)
        : checkpointForwardRun(field, y0, params, ts, tableau, solveOptions, slots);
      run = { solution: r.solution, ys: r.solution.ys, backward: r.backward };
    }
  } else {
    const norm = options.adjointNorm ?? 'rms';
    if (!ADJOINT_NORMS.includes(norm)) throw unknownName(where, 'adjointNorm', String(norm), ADJOINT_NORMS);
    const adjoint = {
      method: options.adjointMethod ?? solveOptions.method, norm,
      rtol: options.adjointRtol ?? options.rtol ?? 1e-3, atol: options.adjointAtol ?? options.atol ?? 1e-6,
      maxSteps: options.adjointMaxSteps ?? options.maxSteps, controller: options.controller,
    };
    run = gradient === 'backsolve'
      ? backsolveRun(field, y0, params, ts, solveOptions, adjoint)
      : interpolatedRun(field, y0, params, ts, solveOptions, adjoint, {
        nodes: options.chebyshevNodes ?? 32, weights: options.chebyshevWeights ?? 'lobatto', dense: gradient === 'interpolated-dense',
      });
  }
  const ys = run.ys;
  return {
    ts, ys, solution: run.solution, reversible: null, method: gradient,
    y: (q) => ys.subarray(q * d, (q + 1) * d),
    backward(dYs) {
      checkCotangent(where, dYs, ys.length, ts.length, d);
      return withTimes(run.backward(dYs), dYs, ys);
    },
  };

  /** Adds the time derivatives (exact-flow formulas) when asked for. */
  function withTimes(g: GradientResult, dYs: Readonly<Float64Array>, ys: Float64Array): GradientResult {
    if (!options.timeGradients) return g;
    const f = new Float64Array(d), dTs = new Float64Array(ts.length);
    for (let q = 0; q < ts.length; q++) {
      field.eval(f, ts[q], ys.subarray(q * d, (q + 1) * d), params);
      let s = 0;
      for (let m = 0; m < d; m++) s += dYs[q * d + m] * f[m];
      dTs[q] = s;
    }
    field.eval(f, t0, y0, params);
    let s0 = 0;
    for (let m = 0; m < d; m++) s0 -= g.dY0[m] * f[m];
    return { ...g, dTs, dT0: s0 };
  }
}

function checkCotangent(where: string, dYs: unknown, n: number, K: number, d: number): void {
  if (!(dYs instanceof Float64Array) || dYs.length !== n) {
    throw new TideError('SHAPE', `${where}.backward: dYs must be a Float64Array of length ${n} (${K} save times × dim ${d}), the layout of ys; got ${describe(dYs)}.`, { expected: n });
  }
  checkFinite(`${where}.backward`, 'dYs', dYs, 'The loss gradient must be finite.');
}

/** The reversible scheme for `method` (an RK base wrapped with λ, or 'reversible-heun' / 'mali') and its run. */
function reversibleGradientRun(field: VectorField, y0: Float64Array, params: Float64Array, ts: Float64Array,
  options: GradientSolveOptions, store: boolean): ReversibleRun {
  const where = 'solveWithGradient';
  const method = options.method ?? 'midpoint';
  let scheme: ReversibleScheme;
  let gains: PiGains | undefined;
  if (method === 'reversible-heun') scheme = new ReversibleHeun();
  else if (method === 'mali') scheme = new Mali();
  else {
    const solver = resolveSolver(method, where);
    if (solver.tableau === null) {
      throw new TideError('BAD_OPTION', `${where}: the reversible wrapper needs an explicit Runge–Kutta base solver; ${solver.name} is not one. Use midpoint, rk4, bs3, dopri5, tsit5, … or method 'reversible-heun' / 'mali'.`, { option: 'method' });
    }
    scheme = new CoupledScheme(solver.tableau, options.lambda ?? DEFAULT_LAMBDA);
    gains = solver.piGains;
  }
  const adaptive = options.adaptive ?? (options.stepSize === undefined && scheme.errorOrder !== undefined);
  for (const k of ['dp5ErrorWeights', 'minStep', 'maxStep', 'tstops', 'checkpoints', 'adjointRtol', 'adjointAtol', 'adjointNorm', 'adjointMethod', 'adjointMaxSteps', 'chebyshevNodes', 'chebyshevWeights'] as const) {
    if (options[k] !== undefined) throw new TideError('BAD_OPTION', `${where}: option '${k}' does not apply to gradient: 'reversible'.`, { option: k });
  }
  const controller = options.controller;
  if (controller === 'scipy') throw new TideError('BAD_OPTION', `${where}: the reversible solvers take controller 'pi', 'i' or a controller object.`, { option: 'controller' });
  return reversibleRun(scheme, field, y0, {
    t0: options.t0 ?? 0, t1: options.t1, params, ts, stepSize: options.stepSize, adaptive,
    rtol: options.rtol ?? 1e-3, atol: options.atol ?? 1e-6, controller, maxSteps: options.maxSteps ?? 100000, gains,
  }, store);
}

/**
 * Value and gradient of a scalar loss of the saved outputs: `loss(ys, dYs)` returns L and writes ∂L/∂ys into dYs
 * (zeroed before the call).
 */
export function valueAndGradient(loss: (ys: Readonly<Float64Array>, dYs: Float64Array) => number, field: VectorField,
  y0: Float64Array, options: GradientSolveOptions): GradientResult & { loss: number; ys: Float64Array } {
  const run = solveWithGradient(field, y0, options);
  const dYs = new Float64Array(run.ys.length);
  const L = loss(run.ys, dYs);
  if (typeof L !== 'number' || !Number.isFinite(L)) throw new TideError('NONFINITE', `valueAndGradient: the loss returned ${String(L)}; it must be a finite number.`);
  return { loss: L, ys: run.ys, ...run.backward(dYs) };
}
