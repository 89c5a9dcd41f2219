/**
 * The options of `solve`, their defaults, and their validation at the boundary: every wrong input
 * is a TideError that names the option, says what was expected, and how to fix it.
 */
import { TideError, checkFinite, checkOptionKeys, fmtShape } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import { FLOAT32_MIN_RTOL, checkParams, isVectorField, type FieldFunction, type VectorField } from '../core/field.ts';
import { checkFirstEvaluation, fieldFromPlain, type ReturningFunction } from './field-check.ts';
import { isTerm, type Term } from '../terms/term.ts';
import { odeTerm } from '../terms/ode.ts';
import type { SolverWorkspace } from '../solvers/solver.ts';
import type { Solver } from '../solvers/solver.ts';
import type { Tableau } from '../solvers/tableau.ts';
import { resolveSolver } from '../solvers/registry.ts';
import { erkSolver } from '../solvers/erk.ts';
import { dopri5Shampine } from '../solvers/tableaus/dopri5.ts';
import { rmsNorm, type Norm, type Tolerance } from '../control/norms.ts';
import { PIController, type StepSizeController } from '../control/pi.ts';
import { IController, ScipyController } from '../control/i-controller.ts';
import { resolveSaveAt, type ResolvedSaveAt, type SaveAtOptions } from '../integrate/save-at.ts';
import { resolveEvents, type EventSpec } from '../integrate/events.ts';

/** What `onStep` receives after every attempted step. One object, reused: copy what you keep. */
export interface StepInfo {
  /** Attempt index (0-based, accepted and rejected together). */
  readonly n: number;
  /** Start of the attempted step. */
  readonly t: number;
  /** Signed step size attempted. */
  readonly h: number;
  /** Error norm E of the attempt (NaN when the method has no error estimate). */
  readonly E: number;
  /** The error vector h Σ e_i k_i (valid during the call only), or null without an error estimate. */
  readonly err: Readonly<Float64Array> | null;
  /** Shampine's (1977) stiffness estimate ρ̂ for Tsit5/DP5; NaN for other methods. */
  readonly stiffness: number;
  /** Whether the attempt was accepted. */
  readonly accepted: boolean;
}

/**
 * What `onAccept` receives after every accepted step, before the solver advances: the hook gradient methods record
 * from. One object, reused; its arrays are valid during the call only (copy what you keep). It is called before
 * saves, events and the steady-state test, so it always describes the full step, also when an event then ends the
 * solve inside it. The step size and accept/reject decisions are constants for differentiation (as in
 * torchdiffeq, which computes them under `no_grad`, and diffrax, which stops their gradient).
 */
export interface AcceptedStep {
  /** Accepted-step index (0-based). */
  readonly n: number;
  /** Start time t_n of the step. */
  readonly t: number;
  /** Signed step size h used by the stages (t_{n+1} = tNew; t + h equals tNew up to rounding on landing steps). */
  readonly h: number;
  /** End time t_{n+1} the loop records (exactly t1 or a tstop when the step lands there). */
  readonly tNew: number;
  /** y_n, the state before the step. */
  readonly y: Readonly<Float64Array>;
  /** y_{n+1}. */
  readonly yNew: Readonly<Float64Array>;
  /**
   * The step's stage derivatives k_i = f(t + c_i h, Y_i) (derivatives, not increments; stage inputs Y_i can be
   * recomputed bitwise with erkStageInput). For a VCAB3 Adams step: [f_n, f_{n−1}, f_{n−2}] (and tableau null).
   */
  readonly k: readonly Float64Array[];
  /** Tableau of the step, or null for an Adams step. */
  readonly tableau: Tableau | null;
  /** Error norm E (NaN without an error estimate). */
  readonly E: number;
  /** The solver's workspace (gradient methods record the step's stages from it). */
  readonly ws: SolverWorkspace;
  /** True when the step lands on a tstop after which the solver restarts (f may jump there). */
  readonly restart: boolean;
}

/** `steadyState` option: stop when RMS(f / (atol + rtol|y|)) < threshold. */
export interface SteadyStateOptions {
  /** Default 1: f is below the tolerances per unit time. */
  threshold?: number;
  /** Default: the solve's rtol. */
  rtol?: number | Float64Array;
  /** Default: the solve's atol. */
  atol?: number | Float64Array;
}

/** Options of `solve`. Only t1 is required. */
export interface SolveOptions {
  /** Start time (default 0). */
  t0?: number;
  /** End time; t1 < t0 integrates backward. */
  t1: number;
  /** Flat parameter vector passed to f (default empty). */
  params?: Float64Array;
  /** A method name ('tsit5' default, 'dopri5', 'bs3', 'vcab3', 'rk4', 'euler', 'midpoint', 'heun', 'ralston'), a Solver, or a tableau. */
  method?: string | Solver | Tableau;
  /** Dormand–Prince error weights: 'hairer' (default) or 'shampine' (torchdiffeq/diffrax). Only with method 'dopri5'. */
  dp5ErrorWeights?: 'hairer' | 'shampine';
  /** Fixed step size (non-adaptive), or the first step of an adaptive solve (default: automatic). Sign is taken from t1 − t0. */
  stepSize?: number;
  /** Adaptive stepping. Default: true for methods with an error estimate meant for it (tsit5, dopri5, bs3, vcab3). */
  adaptive?: boolean;
  /** Relative tolerance, > 0, scalar or per component. Default 1e-3. */
  rtol?: number | Float64Array;
  /** Absolute tolerance, > 0, scalar or per component. Default 1e-6. */
  atol?: number | Float64Array;
  /** Error norm (default rmsNorm). Pass a seminorm for adjoint solves. */
  norm?: Norm;
  /** 'pi' (default), 'i', 'scipy', or a StepSizeController. */
  controller?: 'pi' | 'i' | 'scipy' | StepSizeController;
  /** Most attempted steps (accepted + rejected) before failing. Default 100000. */
  maxSteps?: number;
  /**
   * Smallest |h| an adaptive solve may use. A step at minStep is accepted whatever its error estimate, as torchdiffeq
   * and diffrax do (`minStepPolicy: 'fail'` makes a rejection there a step-size underflow instead). Default 0 (only the
   * rounding floor 1e-14·max(|t|, |t1 − t0|), below which a rejected step always fails).
   */
  minStep?: number;
  /** What a rejected step at minStep does: 'accept' (default) or 'fail' (STEP_UNDERFLOW). */
  minStepPolicy?: 'accept' | 'fail';
  /**
   * Fixed-step solves of ODE terms with an RK or reversible solver check their step against the scheme's linear
   * stability at t0 and at the end (integrate/stability-check.ts) and fail with TideError('UNSTABLE') and the largest
   * stable step. Default true; false skips the check (about 26 evaluations each).
   */
  stabilityCheck?: boolean;
  /** Largest |h|. Default Infinity. */
  maxStep?: number;
  /**
   * Times steps must land on exactly, treated as possible discontinuities of f (define f right-continuous there):
   * the landing step evaluates f only before the stop, the next restarts with f(tstop, y) (1 NFE each).
   * Values outside (t0, t1) are ignored.
   */
  tstops?: readonly number[] | Float64Array;
  /** What to save; default { t0: true, t1: true }. */
  saveAt?: SaveAtOptions;
  /** Terminal events (stop where g(t, y) crosses zero). */
  events?: EventSpec | readonly EventSpec[];
  /** Stop at a steady state (true for the defaults). */
  steadyState?: boolean | SteadyStateOptions;
  /** Called after every attempted step with a reused StepInfo (error estimate, stiffness estimate). */
  onStep?: (info: StepInfo) => void;
  /** Called after every accepted step with a reused AcceptedStep (for gradient methods). */
  onAccept?: (rec: AcceptedStep) => void;
  /** Throw on max-steps, step underflow and non-finite values (default true); false returns a solution with status and error. */
  throwOnFailure?: boolean;
  /** Shape of the state for messages, e.g. [batch, dim]; its product must equal y0.length. */
  shape?: readonly number[];
}

/**
 * Checked options, as the loop uses them.
 * @property where prefix of error messages, e.g. 'solve (dopri5)'.
 * @property dim length d of the flat state.
 * @property params the parameter vector the field is evaluated with (empty for a field without parameters).
 * @property shape shape of the state for messages; its product is dim.
 * @property t0 start time.
 * @property t1 end time (t1 < t0 integrates backward).
 * @property solver the time stepper (from `method`).
 * @property adaptive whether steps are chosen by the error controller (else fixed steps of stepSize).
 * @property rtol relative tolerance, scalar or per component.
 * @property atol absolute tolerance, scalar or per component.
 * @property norm the error norm the controller uses (rmsNorm unless given).
 * @property controller the step-size controller (PI unless given).
 * @property maxSteps most attempted steps (accepted + rejected) before the solve fails.
 * @property minStep smallest |h| of an adaptive solve (0: only the rounding floor).
 * @property minStepPolicy what a rejected step at minStep does: 'accept' it or 'fail' with STEP_UNDERFLOW.
 * @property stabilityCheck whether fixed-step solves check their step against the scheme's linear stability.
 * @property maxStep largest |h| (Infinity unless given).
 * @property restartAt restartAt[i] = 1 where landings[i] is a tstop at which the solver restarts.
 * @property saveAt the checked save request.
 * @property events the checked terminal events (empty without events).
 * @property steadyState the steady-state test, or null when off: the solve stops once RMS(f / (atol + rtol|y|)) < threshold.
 * @property onStep the onStep hook, or undefined.
 * @property onAccept the onAccept hook, or undefined.
 * @property throwOnFailure whether failures throw (true) or return a solution with status and error (false).
 */
export interface ResolvedOptions {
  readonly where: string;
  /** The term being solved. */
  readonly term: Term;
  /** term.ode: the field of a plain ODE term, else null. */
  readonly field: VectorField | null;
  readonly dim: number;
  readonly params: Float64Array;
  readonly shape: readonly number[];
  readonly t0: number;
  readonly t1: number;
  readonly solver: Solver;
  readonly adaptive: boolean;
  /** |stepSize|, or undefined. */
  readonly stepSize: number | undefined;
  readonly rtol: Tolerance;
  readonly atol: Tolerance;
  readonly norm: Norm;
  readonly controller: StepSizeController;
  readonly maxSteps: number;
  readonly minStep: number;
  readonly minStepPolicy: 'accept' | 'fail';
  readonly stabilityCheck: boolean;
  readonly maxStep: number;
  /** Stops strictly inside (t0, t1), sorted in the direction of integration. */
  readonly tstops: Float64Array;
  /**
   * Every time a step must land on, sorted in the direction of integration: the tstops, and the save times when the
   * solver lands on saves (reversible schemes). restartAt[i] = 1 where the solver restarts (a tstop).
   */
  readonly landings: Float64Array;
  readonly restartAt: Uint8Array;
  readonly saveAt: ResolvedSaveAt;
  readonly events: readonly EventSpec[];
  readonly steadyState: { threshold: number; rtol: Tolerance; atol: Tolerance } | null;
  readonly onStep: ((info: StepInfo) => void) | undefined;
  readonly onAccept: ((rec: AcceptedStep) => void) | undefined;
  readonly throwOnFailure: boolean;
}

/** Every option key of `solve`. */
export const SOLVE_KEYS = ['t0', 't1', 'params', 'method', 'dp5ErrorWeights', 'stepSize', 'adaptive', 'rtol', 'atol', 'norm',
  'controller', 'maxSteps', 'minStep', 'minStepPolicy', 'stabilityCheck', 'maxStep', 'tstops', 'saveAt', 'events', 'steadyState', 'onStep', 'onAccept',
  'throwOnFailure', 'shape'] as const;

/**
 * The default of `maxSteps` (attempted steps, accepted + rejected). Between diffrax's 4096 (too few for a 1e-10 solve
 * over a long span) and OrdinaryDiffEq's 1e6 (minutes of futile work on a stiff problem).
 */
export const DEFAULT_MAX_STEPS = 100000;

const dp5Shampine = erkSolver(dopri5Shampine);

function badOption(where: string, option: string, message: string): TideError {
  return new TideError('BAD_OPTION', `${where}: ${message}`, { option });
}

function tolerance(where: string, name: string, v: unknown, fallback: number, n: number, example: string): Tolerance {
  if (v === undefined) return fallback;
  if (typeof v === 'number') {
    if (!(v > 0) || !Number.isFinite(v)) {
      throw badOption(where, name, `${name} must be a finite number > 0 (non-positive tolerances cannot be met), got ${v}. A typical value is ${example}.`);
    }
    return v;
  }
  if (v instanceof Float64Array) {
    if (v.length !== n) throw new TideError('SHAPE', `${where}: ${name} has length ${v.length}; a per-component tolerance needs one entry per state component (${n}).`, { option: name });
    for (let i = 0; i < n; i++) {
      if (!(v[i] > 0) || !Number.isFinite(v[i])) throw badOption(where, name, `${name}[${i}] = ${v[i]}; every tolerance must be a finite number > 0 (non-positive tolerances cannot be met).`);
    }
    return v;
  }
  throw badOption(where, name, `${name} must be a number > 0 or a Float64Array with one entry per component, got ${describe(v)}.`);
}

/** A float32 field's solutions are only float32-accurate: reject an rtol it cannot meet (FLOAT32_MIN_RTOL). */
function checkFloat32Rtol(where: string, name: string, rtol: Tolerance): void {
  let min = Infinity;
  if (typeof rtol === 'number') min = rtol; else for (const v of rtol) min = Math.min(min, v);
  if (min < FLOAT32_MIN_RTOL) {
    throw badOption(where, 'rtol', `rtol = ${min} is below what the float32 field '${name}' can meet: its evaluations carry float32 rounding errors (relative ~1e-7 per layer), so its solutions agree with the float64 model's to about 1e-7–1e-6 relative at best. Use rtol ≥ ${FLOAT32_MIN_RTOL} (e.g. 1e-5), or build the model with dtype 'float64' for tighter tolerances.`);
  }
}

function fn<T>(where: string, name: string, v: unknown): T | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'function') throw badOption(where, name, `${name} must be a function, got ${describe(v)}.`);
  return v as T;
}

function controllerOf(where: string, v: unknown): StepSizeController {
  if (v === undefined || v === 'pi') return new PIController();
  if (v === 'i') return new IController();
  if (v === 'scipy') return new ScipyController();
  if (typeof v === 'object' && v !== null && typeof (v as StepSizeController).factor === 'function'
    && typeof (v as StepSizeController).accept === 'function' && typeof (v as StepSizeController).reset === 'function') {
    return v as StepSizeController;
  }
  throw badOption(where, 'controller', `controller must be 'pi', 'i', 'scipy' or an object with reset/accept/factor (e.g. new PIController({ beta1: 0.1 })), got ${describe(v)}.`);
}

/**
 * Validates everything `solve` was given and fills in defaults.
 * @throws TideError with codes BAD_OPTION, BAD_ARGUMENT, SHAPE, DTYPE, NONFINITE, UNKNOWN_NAME (see `solve`).
 */
export function resolveSolveOptions(fieldArg: Term | VectorField | FieldFunction | ReturningFunction, y0: unknown, options: SolveOptions, keys: readonly string[] = SOLVE_KEYS): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TideError('BAD_ARGUMENT', `solve: options must be an object with at least t0 and t1, e.g. { t0: 0, t1: 1 }; got ${describe(options)}.`);
  }
  checkOptionKeys('solve', options, keys);
  const o = options;
  const methodArg = o.method ?? 'tsit5';
  let solver = resolveSolver(methodArg, 'solve');
  if (o.dp5ErrorWeights !== undefined) {
    if (o.dp5ErrorWeights !== 'hairer' && o.dp5ErrorWeights !== 'shampine') {
      throw badOption('solve', 'dp5ErrorWeights', `dp5ErrorWeights must be 'hairer' or 'shampine', got ${describe(o.dp5ErrorWeights)}.`);
    }
    if (solver.name !== 'dopri5') throw badOption('solve', 'dp5ErrorWeights', `dp5ErrorWeights applies to method 'dopri5' only; the method is '${solver.name}'.`);
    if (o.dp5ErrorWeights === 'shampine') solver = dp5Shampine;
  }
  const where = `solve (${solver.name})`;

  // State and field.
  if (!(y0 instanceof Float64Array)) {
    throw new TideError('DTYPE', `${where}: y0 must be a Float64Array, got ${describe(y0)}.${Array.isArray(y0) ? ' Use Float64Array.from(y0).' : ''}`);
  }
  if (y0.length === 0) throw new TideError('SHAPE', `${where}: y0 is empty; the state needs at least one component.`);
  const params = o.params ?? new Float64Array(0);
  if (!(params instanceof Float64Array)) throw new TideError('DTYPE', `${where}: params must be a Float64Array, got ${describe(params)}.`);
  let term: Term;
  if (isTerm(fieldArg)) term = fieldArg;
  else if (isVectorField(fieldArg)) term = odeTerm(fieldArg);
  else if (typeof fieldArg === 'function') term = odeTerm(fieldFromPlain(fieldArg, y0.length, params.length));
  else throw new TideError('BAD_ARGUMENT', `${where}: the first argument must be a Term, a VectorField or a function (out, t, y, params) => void, got ${describe(fieldArg)}.`);
  const n = term.dim;
  if (y0.length !== n) {
    throw new TideError('SHAPE', `${where}: y0 has length ${y0.length} but the field '${term.name}' has dim ${n}; they must match (flatten [batch, dim] row-major).`, { expected: n, got: y0.length });
  }
  if (solver.terms === 'ode' && term.ode === null) {
    throw new TideError('BAD_OPTION', `${where}: ${solver.name} steps ODE terms only, and '${term.name}' is not one (a control, diffusion or sum term). Use an RK method (euler, heun, midpoint, rk4, …) or the λ-coupled reversible wrapper.`, { option: 'method' });
  }
  let shape: readonly number[] = [n];
  if (o.shape !== undefined) {
    const s = o.shape as unknown;
    if (!Array.isArray(s) || s.some((d) => !Number.isInteger(d) || d <= 0)) throw badOption(where, 'shape', `shape must be an array of positive integers such as [batch, dim], got ${describe(s)}.`);
    const size = (s as number[]).reduce((a, b) => a * b, 1);
    if (size !== n) throw new TideError('SHAPE', `${where}: shape ${fmtShape(s as number[])} has ${size} elements but y0 has ${n}.`, { shape: [...(s as number[])] });
    shape = [...(s as number[])];
  }
  checkFinite(where, 'y0', y0, 'The initial state must be finite.');
  checkParams(where, term as unknown as VectorField, params);
  if (term.ode !== null) checkFirstEvaluation(where, term.ode, typeof o.t0 === 'number' ? o.t0 : 0, y0, params);

  // Time span.
  // t0 defaults to 0 (as in torchdiffeq's and diffrax's usual calls); t1 is required.
  const t0 = o.t0 ?? 0, t1 = o.t1;
  for (const [key, v] of [['t0', t0], ['t1', t1]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badOption(where, key, `${key} must be a finite number, got ${describe(v)}.`);
  }

  // Stepping mode.
  if (o.adaptive !== undefined && typeof o.adaptive !== 'boolean') throw badOption(where, 'adaptive', `adaptive must be true or false, got ${describe(o.adaptive)}.`);
  let stepSize: number | undefined;
  if (o.stepSize !== undefined) {
    if (typeof o.stepSize !== 'number' || !Number.isFinite(o.stepSize) || o.stepSize === 0) {
      throw badOption(where, 'stepSize', `stepSize must be a finite non-zero number, got ${describe(o.stepSize)}.`);
    }
    stepSize = Math.abs(o.stepSize);
  }
  const adaptive = o.adaptive ?? solver.adaptiveByDefault;
  if (adaptive && solver.errorOrder === undefined) {
    throw badOption(where, 'adaptive', `'${solver.name}' has no error estimate, so it cannot step adaptively. Give stepSize for fixed steps, or use an adaptive method (tsit5, dopri5, bs3, vcab3).`);
  }
  if (!adaptive && stepSize === undefined) {
    throw badOption(where, 'stepSize', `fixed-step solves need stepSize (e.g. stepSize: ${Math.abs(t1 - t0) / 100 || 0.01}); or step adaptively with an adaptive method (tsit5, dopri5, bs3, vcab3).`);
  }

  const rtol = tolerance(where, 'rtol', o.rtol, 1e-3, n, '1e-6');
  const atol = tolerance(where, 'atol', o.atol, 1e-6, n, '1e-9');
  if (adaptive && term.ode !== null && term.ode.dtype === 'float32') checkFloat32Rtol(where, term.ode.name ?? 'f', rtol);
  const norm = fn<Norm>(where, 'norm', o.norm) ?? rmsNorm;
  const controller = controllerOf(where, o.controller);

  let maxSteps = DEFAULT_MAX_STEPS;
  if (o.maxSteps !== undefined) {
    if (!Number.isInteger(o.maxSteps) || o.maxSteps < 1) throw badOption(where, 'maxSteps', `maxSteps must be a positive integer, got ${describe(o.maxSteps)}.`);
    maxSteps = o.maxSteps;
  }
  let minStep = 0;
  if (o.minStep !== undefined) {
    if (typeof o.minStep !== 'number' || !(o.minStep >= 0) || !Number.isFinite(o.minStep)) throw badOption(where, 'minStep', `minStep must be a finite number ≥ 0, got ${describe(o.minStep)}.`);
    minStep = o.minStep;
  }
  let maxStep = Infinity;
  if (o.maxStep !== undefined) {
    if (typeof o.maxStep !== 'number' || !(o.maxStep > 0)) throw badOption(where, 'maxStep', `maxStep must be a number > 0, got ${describe(o.maxStep)}.`);
    maxStep = o.maxStep;
  }
  if (minStep > maxStep) throw badOption(where, 'minStep', `minStep = ${minStep} exceeds maxStep = ${maxStep}.`);
  const minStepPolicy = o.minStepPolicy ?? 'accept';
  if (o.stabilityCheck !== undefined && typeof o.stabilityCheck !== 'boolean') throw badOption(where, 'stabilityCheck', `stabilityCheck must be true or false, got ${describe(o.stabilityCheck)}.`);
  if (minStepPolicy !== 'accept' && minStepPolicy !== 'fail') throw badOption(where, 'minStepPolicy', `minStepPolicy must be 'accept' or 'fail', got ${describe(o.minStepPolicy)}.`);

  const dir = t1 >= t0 ? 1 : -1;
  let tstops = new Float64Array(0);
  if (o.tstops !== undefined) {
    const raw = o.tstops as unknown;
    if (!Array.isArray(raw) && !(raw instanceof Float64Array)) throw badOption(where, 'tstops', `tstops must be an array or Float64Array of times, got ${describe(raw)}.`);
    const list = Array.from(raw as ArrayLike<unknown>);
    list.forEach((v, i) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw badOption(where, 'tstops', `tstops[${i}] is ${describe(v)}; stop times must be finite numbers.`);
    });
    const inside = (list as number[]).filter((v) => dir * (v - t0) > 0 && dir * (t1 - v) > 0);
    tstops = Float64Array.from(new Set(inside)).sort();
    if (dir < 0) tstops.reverse();
  }

  const saveAt = resolveSaveAt(where, o.saveAt, t0, t1);
  // Landing points: tstops (restart) and, for solvers that land on saves, the save times strictly inside the span.
  const land = new Map<number, number>();
  if (solver.landOnSaves) for (const v of saveAt.ts) if (dir * (v - t0) > 0 && dir * (t1 - v) > 0) land.set(v, 0);
  for (const v of tstops) land.set(v, 1);
  const landings = Float64Array.from(land.keys()).sort();
  if (dir < 0) landings.reverse();
  const restartAt = Uint8Array.from(landings, (v) => land.get(v) as number);
  const events = resolveEvents(where, o.events);

  let steadyState: ResolvedOptions['steadyState'] = null;
  if (o.steadyState !== undefined && o.steadyState !== false) {
    if (o.steadyState === true) {
      steadyState = { threshold: 1, rtol, atol };
    } else if (typeof o.steadyState === 'object' && o.steadyState !== null) {
      checkOptionKeys(`${where}: steadyState`, o.steadyState, ['threshold', 'rtol', 'atol']);
      const thr = o.steadyState.threshold ?? 1;
      if (typeof thr !== 'number' || !(thr > 0) || !Number.isFinite(thr)) throw badOption(where, 'steadyState', `steadyState.threshold must be a finite number > 0, got ${describe(thr)}.`);
      steadyState = {
        threshold: thr,
        rtol: o.steadyState.rtol === undefined ? rtol : tolerance(where, 'steadyState.rtol', o.steadyState.rtol, 1e-3, n, '1e-6'),
        atol: o.steadyState.atol === undefined ? atol : tolerance(where, 'steadyState.atol', o.steadyState.atol, 1e-6, n, '1e-9'),
      };
    } else {
      throw badOption(where, 'steadyState', `steadyState must be true, false, or { threshold?, rtol?, atol? }, got ${describe(o.steadyState)}.`);
    }
  }

  const onStep = fn<(info: StepInfo) => void>(where, 'onStep', o.onStep);
  const onAccept = fn<(rec: AcceptedStep) => void>(where, 'onAccept', o.onAccept);
  if (o.throwOnFailure !== undefined && typeof o.throwOnFailure !== 'boolean') throw badOption(where, 'throwOnFailure', `throwOnFailure must be true or false, got ${describe(o.throwOnFailure)}.`);

  return {
    where, term, field: term.ode, dim: n, params, shape, t0, t1, solver, adaptive, stepSize, rtol, atol, norm, controller,
    maxSteps, minStep, minStepPolicy, stabilityCheck: o.stabilityCheck ?? true, maxStep, tstops, landings, restartAt, saveAt, events, steadyState, onStep, onAccept,
    throwOnFailure: o.throwOnFailure ?? true,
  };
}
