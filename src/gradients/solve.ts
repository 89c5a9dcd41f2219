/**
 * One entry point for solving with gradients: `solve(term or field, y0, { …, gradient })` returns the solution with a
 * `backward(dYs)` that gives ∂L/∂y0 and ∂L/∂params for any cotangent dYs = ∂L/∂ys of the saved outputs;
 * `valueAndGradient` wraps it around a loss; `prepareSolve` builds everything once for training loops.
 *
 *   const sol = solve(field, y0, { t1: 25, params, saveAt: { ts }, method: 'dopri5', rtol: 1e-7,
 *                                  gradient: backsolve({ norm: 'seminorm' }) });
 *   const { dY0, dParams, report } = sol.backward(dYs);        // dYs: ∂L/∂sol.ys, same layout as sol.ys
 *
 * Prepared solves (`prepareSolve(term, options).run(y0, params)`) keep the solver workspace, the stage tapes, the
 * method's buffers and the option checks across runs: nothing is re-traced or re-planned per training step. Each run
 * snapshots params, so an optimizer step between forward and backward cannot mix two parameter vectors.
 */
import { TideError, checkFinite, checkOptionKeys, firstNonFinite, rethrowUser } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import { isVectorField, type FieldFunction, type VectorField } from '../core/field.ts';
import { fieldFromPlain, type ReturningFunction } from '../integrate/field-check.ts';
import { isTerm, type Term } from '../terms/term.ts';
import { odeTerm } from '../terms/ode.ts';
import { integrate, integrateWith, integrateScratch } from '../integrate/solve.ts';
import { resolveSolveOptions, SOLVE_KEYS, type AcceptedStep, type ResolvedOptions, type SolveOptions } from '../integrate/options.ts';
import { GrowableBuffer, type Solution } from '../integrate/solution.ts';
import type { SolverWorkspace } from '../solvers/solver.ts';
import type { ForwardGrid, ForwardRecord, GradientMethod, GradientReport, GradientRun } from './method.ts';
import { resolveGradientMethod } from './methods.ts';
import { buildSchedule } from './save-schedule.ts';

/** Options of `solve` with a gradient method. */
export interface GradientSolveOptions extends SolveOptions {
  /** The gradient method: a name ('direct', 'checkpoint', 'revolve', 'backsolve', 'interpolated', 'interpolated-dense', 'reversible') or an object (direct(), checkpoint({ slots }), …). */
  gradient?: string | GradientMethod;
  /**
   * Also return ∂L/∂ts[q] = g_q · f(ts[q], y(ts[q])) for every saved row and ∂L/∂t0 = −(∂L/∂y0) · f(t0, y0): the exact
   * flow's derivatives (ODE terms). Default false.
   */
  timeGradients?: boolean;
  /** Called after every backward step (or save interval, for the continuous methods) with (done, total). */
  onBackwardStep?: (done: number, total: number) => void;
}

export const GRADIENT_SOLVE_KEYS = [...SOLVE_KEYS, 'gradient', 'timeGradients', 'onBackwardStep'];

/**
 * What `backward` returns.
 * @property report the gradient method's costs (NFE, VJPs, bytes held).
 * @property dT0 with timeGradients: ∂L/∂t0.
 */
export interface GradientResult {
  /** ∂L/∂y0 (length dim). */
  readonly dY0: Float64Array;
  /** ∂L/∂params (length paramCount). */
  readonly dParams: Float64Array;
  readonly report: GradientReport;
  /** With timeGradients: ∂L/∂(time of each saved row), and ∂L/∂t0. */
  readonly dTs?: Float64Array;
  readonly dT0?: number;
}

/** Options of `backward`. */
export interface BackwardOptions {
  /** ∂L/∂t_event when the loss also depends on the time of the event that stopped the solve (default 0). */
  dEventTime?: number;
  /**
   * Write ∂L/∂params here (overwritten; a Float64Array of length paramCount) instead of a new array, e.g. a
   * gradient buffer reused across training steps or shared with other threads. The result's dParams is this array.
   */
  dParamsOut?: Float64Array;
  /** Write ∂L/∂y0 here (overwritten; length dim) instead of a new array; the result's dY0 is this array. */
  dY0Out?: Float64Array;
}

/** A solution that can be differentiated. */
export interface GradientSolution extends Solution {
  /** The gradient method that recorded the forward pass. */
  readonly gradient: string;
  /** ∂L/∂y0 and ∂L/∂params for dYs = ∂L/∂ys (same layout as ys). May be called more than once. */
  backward(dYs: Readonly<Float64Array>, options?: BackwardOptions): GradientResult;
}

/**
 * A solve prepared once and run many times (training).
 * @property method the gradient method the solve was prepared with.
 * @property options the checked forward options every run uses.
 */
export interface PreparedSolve {
  readonly method: GradientMethod;
  readonly options: ResolvedOptions;
  /** Runs the forward solve from y0 with params (default: the params given at prepare time). */
  run(y0: Readonly<Float64Array>, params?: Readonly<Float64Array>): GradientSolution;
}

function asTerm(where: string, arg: unknown, dim?: number, paramCount = 0): Term {
  if (isTerm(arg)) return arg;
  if (isVectorField(arg)) return odeTerm(arg);
  if (typeof arg === 'function' && dim !== undefined) return odeTerm(fieldFromPlain(arg as FieldFunction, dim, paramCount));
  throw new TideError('BAD_ARGUMENT', `${where}: the first argument must be a Term (odeTerm, controlTerm, diffusionTerm, sumTerms) or a VectorField (fieldFromModel, fieldFromTrace, fieldFromFunction), got ${describe(arg)}.`);
}

/**
 * Prepares a solve with gradients: validates everything once and allocates the workspaces, tapes and method buffers
 * that every `run` reuses.
 * @throws TideError for bad options (as `solve`), an unknown gradient method, or a method that cannot differentiate
 *   this solver or term (the message names what to use instead).
 */
export function prepareSolve(termArg: Term | VectorField, options: GradientSolveOptions): PreparedSolve {
  const where = 'solve';
  if (typeof options !== 'object' || options === null) throw new TideError('BAD_ARGUMENT', `${where}: options must be an object with at least t1, got ${describe(options)}.`);
  checkOptionKeys(where, options, GRADIENT_SOLVE_KEYS);
  const term = asTerm(where, termArg);
  const { gradient, timeGradients = false, onBackwardStep, ...solveOptions } = options;
  const method = resolveGradientMethod(where, gradient ?? 'direct');
  if (!term.differentiable) throw new TideError('BAD_ARGUMENT', `${where}: the field '${term.name}' has no vjp, so gradients cannot be computed. Build it with fieldFromTrace (tide ops) or fieldFromModel, or give it a vjp method.`);
  const params = solveOptions.params ?? new Float64Array(0);
  const snapshot = new Float64Array(params.length);
  snapshot.set(params);
  const y0Probe = new Float64Array(term.dim), y0Copy = new Float64Array(term.dim);
  // The solver the method runs with (the reversible method wraps an RK method), then the forward's own needs.
  let cfg = resolveSolveOptions(term, y0Probe, { ...solveOptions, params: snapshot });
  if (method.solverFor !== undefined) {
    const s = method.solverFor(cfg.solver, where);
    if (s !== cfg.solver) cfg = resolveSolveOptions(term, y0Probe, { ...solveOptions, params: snapshot, method: s, dp5ErrorWeights: undefined });
  }
  const ws: SolverWorkspace = cfg.solver.workspace(term);
  const scratch = integrateScratch(cfg);
  const run: GradientRun = method.prepare({ where: `${where} (${cfg.solver.name}, gradient '${method.name}')`, cfg, ws });
  const userSave = cfg.saveAt;
  let extraIndex: Int32Array | null = null, userIndex: Int32Array | null = null;
  const needs = run.forwardNeeds;
  if (needs?.saveTimes !== undefined || needs?.dense) {
    const extra = needs.saveTimes ?? new Float64Array(0);
    const dir = cfg.t1 >= cfg.t0 ? 1 : -1;
    const merged = Float64Array.from(new Set([...userSave.ts, ...extra])).sort();
    if (dir < 0) merged.reverse();
    const head = userSave.t0 ? 1 : 0;
    const rowOf = new Map<number, number>();
    merged.forEach((t, i) => { if (!rowOf.has(t)) rowOf.set(t, head + i); });
    extraIndex = Int32Array.from(extra, (t) => rowOf.get(t) as number);
    const rows: number[] = [];
    if (userSave.t0) rows.push(0);
    for (const t of userSave.ts) rows.push(rowOf.get(t) as number);
    if (userSave.t1) rows.push(head + merged.length);
    userIndex = Int32Array.from(rows);
    cfg = { ...cfg, saveAt: { ...userSave, ts: merged, dense: userSave.dense || needs.dense === true } };
  }
  if (userSave.steps && userIndex !== null) throw new TideError('BAD_OPTION', `${where}: saveAt.steps cannot be combined with gradient '${method.name}'; give saveAt.ts instead.`, { option: 'saveAt' });
  const d = term.dim, p = term.paramCount;
  const times = new GrowableBuffer(64), hs = new GrowableBuffer(64), restart = new GrowableBuffer(64);
  const userOnAccept = cfg.onAccept;
  const hook = run.onAccept;
  const onAccept = (rec: AcceptedStep): void => {
    times.push(rec.tNew); hs.push(rec.h); restart.push(rec.restart ? 1 : 0);
    if (hook !== undefined) hook(rec);
    if (userOnAccept !== undefined) userOnAccept(rec);
  };
  const fcfg: ResolvedOptions = { ...cfg, onAccept };
  // Runs share the method's buffers: a solution can be differentiated until the next run of this prepared solve.
  let generation = 0;

  return {
    method, options: cfg,
    run(y0, paramsArg) {
      if (!(y0 instanceof Float64Array) || y0.length !== d) throw new TideError('SHAPE', `${where}: y0 must be a Float64Array of length ${d} (the term's dim), got ${describe(y0)}.`);
      checkFinite(where, 'y0', y0, 'The initial state must be finite.');
      if (paramsArg !== undefined) {
        if (!(paramsArg instanceof Float64Array) || paramsArg.length !== p) throw new TideError('SHAPE', `${where}: params must be a Float64Array of length ${p}, got ${describe(paramsArg)}.`);
        checkFinite(where, 'params', paramsArg, 'Check the initialisation or lower the learning rate.');
        snapshot.set(paramsArg);
      }
      const gen = ++generation;
      times.length = 0; hs.length = 0; restart.length = 0;
      times.push(cfg.t0); restart.push(0);
      run.beginForward(y0);
      const full = integrateWith(fcfg, y0, ws, scratch);
      const N = hs.length;
      const grid: ForwardGrid = {
        times: times.data.subarray(0, N + 1).slice(), hs: hs.data.subarray(0, N).slice(),
        restart: Uint8Array.from(restart.data.subarray(0, N + 1)), N,
      };
      const sol = userIndex === null ? full : selectRows(full, userIndex);
      const extraRows = extraIndex === null ? new Float64Array(0) : pickRows(full.ys, extraIndex, d);
      y0Copy.set(y0);
      const fwd: ForwardRecord = {
        // params: the snapshot itself (the next run overwrites it, and then this solution can no longer backward);
        // y0: a copy in a buffer of this prepared solve (the caller may change y0 before backward).
        y0: y0Copy, params: snapshot, solution: sol, grid,
        schedule: buildSchedule(sol.ts, grid), saveTimes: sol.ts, extraRows,
        extraTimes: needs?.saveTimes ?? new Float64Array(0),
      };
      run.endForward(fwd);
      const out = Object.create(sol) as GradientSolution & { gradient: string };
      Object.defineProperty(out, 'gradient', { value: method.name });
      Object.defineProperty(out, 'backward', {
        value: (dYs: Readonly<Float64Array>, bopts: BackwardOptions = {}): GradientResult => {
          if (!(dYs instanceof Float64Array) || dYs.length !== sol.ys.length) {
            throw new TideError('SHAPE', `${where}.backward: dYs must be a Float64Array of length ${sol.ys.length} (${sol.count} saved rows × dim ${d}), the layout of ys; got ${describe(dYs)}.`, { expected: sol.ys.length });
          }
          checkFinite(`${where}.backward`, 'dYs', dYs, 'The loss gradient must be finite.');
          if (gen !== generation) {
            throw new TideError('BAD_ARGUMENT', `${where}.backward: this solution's forward records were reused by a later run() of the same prepared solve (run ${generation}; this is run ${gen}). Call backward before the next run(), or use one prepareSolve per solution you keep.`, { run: gen, latest: generation });
          }
          checkOptionKeys(`${where}.backward`, bopts, ['dEventTime', 'dParamsOut', 'dY0Out']);
          const g = sol.status === 'event' ? eventCotangent(cfg, fwd, dYs, bopts.dEventTime ?? 0) : dYs;
          const dY0 = outArray(`${where}.backward`, 'dY0Out', bopts.dY0Out, d, `${d} (the state's dim)`);
          const dParams = outArray(`${where}.backward`, 'dParamsOut', bopts.dParamsOut, p, `${p} (paramCount)`);
          if (dY0 === dParams) throw new TideError('BAD_ARGUMENT', `${where}.backward: dY0Out and dParamsOut are the same array; give two arrays.`);
          // The backward pass evaluates the field at the forward's params (fwd.params, a copy nobody edits).
          const holder = cfg.field !== null && cfg.field.hold !== undefined ? cfg.field : null;
          if (holder !== null) holder.hold!(fwd.params as Float64Array);
          let report: GradientResult['report'];
          try { report = run.backward(fwd, g, dY0, dParams, onBackwardStep); } finally { if (holder !== null) holder.hold!(null); }
          checkBackward(where, method.name, dY0, dParams);
          return timeGradients ? { dY0, dParams, report, ...timeDerivatives(cfg, fwd, g, dY0) } : { dY0, dParams, report };
        },
      });
      return out;
    },
  };
}

/** A caller's output array for backward (checked, zeroed), or a new one. */
function outArray(where: string, name: string, a: unknown, n: number, expected: string): Float64Array {
  if (a === undefined) return new Float64Array(n);
  if (!(a instanceof Float64Array) || a.length !== n) throw new TideError('SHAPE', `${where}: ${name} must be a Float64Array of length ${expected}, got ${describe(a)}.`, { option: name, expected: n });
  a.fill(0);
  return a;
}

/** NaN/Inf in the gradients is an error that names where it appeared. */
function checkBackward(where: string, method: string, dY0: Float64Array, dParams: Float64Array): void {
  const i = firstNonFinite(dParams), j = firstNonFinite(dY0);
  if (i < 0 && j < 0) return;
  const what = i >= 0 ? `dParams[${i}] = ${dParams[i]}` : `dY0[${j}] = ${dY0[j]}`;
  throw new TideError('NONFINITE', `${where}.backward (gradient '${method}'): the gradient is not finite (${what}); the field's VJP or the adjoint state overflowed. Check the field's derivatives at the solution (e.g. √y at y = 0), lower the step size, or use another gradient method.`, { method });
}

/** The rows `index` of `ys` (rows of length d) as a new array. */
function pickRows(ys: Readonly<Float64Array>, index: Int32Array, d: number): Float64Array {
  const out = new Float64Array(index.length * d);
  index.forEach((r, i) => { for (let m = 0; m < d; m++) out[i * d + m] = ys[r * d + m]; });
  return out;
}

/** A view of sol with only the given rows (the user's saves of a forward that also saved for the method). */
function selectRows(sol: Solution, index: Int32Array): Solution {
  const d = sol.dim, ys = pickRows(sol.ys, index, d), ts = Float64Array.from(index, (r) => sol.ts[r]);
  const out = Object.create(sol) as Solution;
  Object.defineProperties(out, {
    ts: { value: ts }, ys: { value: ys }, count: { value: ts.length },
    y: { value: (i: number) => ys.subarray(i * d, (i + 1) * d) },
  });
  return out;
}

/** ∂L/∂t of every saved row and ∂L/∂t0 from the exact flow (ODE terms). */
function timeDerivatives(cfg: ResolvedOptions, fwd: ForwardRecord, dYs: Readonly<Float64Array>, dY0: Float64Array): { dTs: Float64Array; dT0: number } {
  const field = cfg.field;
  if (field === null) throw new TideError('BAD_OPTION', 'solve: timeGradients needs an ODE term (the time derivative of the flow is f).', { option: 'timeGradients' });
  const d = cfg.dim, sol = fwd.solution, f = new Float64Array(d), dTs = new Float64Array(sol.count);
  for (let q = 0; q < sol.count; q++) {
    field.eval(f, sol.ts[q], sol.y(q), fwd.params as Float64Array);
    let s = 0;
    for (let m = 0; m < d; m++) s += dYs[q * d + m] * f[m];
    dTs[q] = s;
  }
  field.eval(f, cfg.t0, fwd.y0 as Float64Array, fwd.params as Float64Array);
  let s0 = 0;
  for (let m = 0; m < d; m++) s0 -= dY0[m] * f[m];
  return { dTs, dT0: s0 };
}

/**
 * The cotangent of a solve stopped by an event, with the event time's dependence on the state included (the implicit
 * function theorem on g(t_e, y(t_e)) = 0, as torchdiffeq's odeint_event): with ȳ = Σ of the rows at t_e,
 *     c = (ȳ · f(t_e, y_e) + ∂L/∂t_e) / (∂g/∂t + ∇_y g · f(t_e, y_e)),   ȳ ← ȳ − c ∇_y g.
 * ∇g is taken by central differences (the event condition is a plain function). The time derivative of the state is
 * the flow's f(t_e, y_e); a solver whose dense output is only linear (the reversible ones) locates the event on that
 * interpolant, so there the event-time part of the gradient is exact only to O(h).
 */
function eventCotangent(cfg: ResolvedOptions, fwd: ForwardRecord, dYs: Readonly<Float64Array>, dTe: number): Float64Array {
  const sol = fwd.solution, ev = sol.event;
  if (ev === null) return dYs as Float64Array;
  const field = cfg.field;
  if (field === null) throw new TideError('BAD_OPTION', 'solve.backward: gradients through events need an ODE term.', { option: 'events' });
  const d = cfg.dim, g = cfg.events[ev.index].condition, te = ev.t, ye = Float64Array.from(ev.y);
  const f = new Float64Array(d);
  field.eval(f, te, ye, fwd.params as Float64Array);
  const rows: number[] = [];
  for (let q = 0; q < sol.count; q++) if (sol.ts[q] === te) rows.push(q);
  if (rows.length === 0 && dTe === 0) return dYs as Float64Array;
  let num = dTe;
  for (const q of rows) for (let m = 0; m < d; m++) num += dYs[q * d + m] * f[m];
  const gy = new Float64Array(d), probe = Float64Array.from(ye);
  for (let m = 0; m < d; m++) {
    const e = 1e-6 * Math.max(1, Math.abs(ye[m]));
    probe[m] = ye[m] + e; const gp = g(te, probe);
    probe[m] = ye[m] - e; const gm = g(te, probe);
    probe[m] = ye[m];
    gy[m] = (gp - gm) / (2 * e);
  }
  const et = 1e-6 * Math.max(1, Math.abs(te));
  const gt = (g(te + et, ye) - g(te - et, ye)) / (2 * et);
  let den = gt;
  for (let m = 0; m < d; m++) den += gy[m] * f[m];
  if (!(Math.abs(den) > 0)) throw new TideError('NONFINITE', `solve.backward: the event '${ev.name}' crosses zero tangentially at t = ${te} (dg/dt = 0 along the solution), so its time has no derivative.`);
  const c = num / den;
  const out = Float64Array.from(dYs);
  // Put the correction on the last row at t_e (or the last row if the loss is only on the time).
  const q = rows.length > 0 ? rows[rows.length - 1] : sol.count - 1;
  for (let m = 0; m < d; m++) out[q * d + m] -= c * gy[m];
  return out;
}

/**
 * Solves with a gradient method: the solution plus `backward(dYs)`. Without `gradient` this is a plain forward solve.
 * See {@link prepareSolve} for reuse across training steps.
 */
export function solve(termArg: Term | VectorField | FieldFunction | ReturningFunction, y0: Float64Array, options: GradientSolveOptions): GradientSolution | Solution {
  if (typeof options === 'object' && options !== null && options.gradient === undefined && options.timeGradients === undefined && options.onBackwardStep === undefined) {
    const cfg = resolveSolveOptions(termArg, y0, options);
    return integrate(cfg, y0);
  }
  const term = asTerm('solve', termArg, (y0 as Float64Array | undefined)?.length, (options?.params as Float64Array | undefined)?.length ?? 0);
  return prepareSolve(term, options).run(y0);
}

/** `solve` with a gradient method; always returns a GradientSolution (default gradient 'direct'). */
export function solveWithGradient(termArg: Term | VectorField | FieldFunction, y0: Float64Array, options: GradientSolveOptions): GradientSolution {
  const term = asTerm('solve', termArg, (y0 as Float64Array | undefined)?.length, (options?.params as Float64Array | undefined)?.length ?? 0);
  return prepareSolve(term, { gradient: 'direct', ...options }).run(y0);
}

/**
 * Value and gradient of a scalar loss of the saved outputs: `loss(ys, dYs)` returns L and writes ∂L/∂ys into dYs
 * (zeroed before the call).
 * @returns the {@link GradientResult} (dY0, dParams, report, …) together with `loss` (L), `ys` (the saved outputs L was computed from) and `solution` (the forward solution, whose backward can be called again with another cotangent).
 * @throws TideError('BAD_ARGUMENT') if loss is not a function; TideError('NONFINITE') if L or dYs is not finite; the solve's own errors as {@link solve}.
 */
export function valueAndGradient(loss: (ys: Readonly<Float64Array>, dYs: Float64Array) => number, termArg: Term | VectorField | FieldFunction,
  y0: Float64Array, options: GradientSolveOptions): GradientResult & { loss: number; ys: Float64Array; solution: GradientSolution } {
  if (typeof loss !== 'function') throw new TideError('BAD_ARGUMENT', `valueAndGradient: loss must be a function (ys, dYs) => number, got ${describe(loss)}.`);
  const sol = solveWithGradient(termArg, y0, options);
  const dYs = new Float64Array(sol.ys.length);
  let L: number;
  try { L = loss(sol.ys, dYs); } catch (e) { rethrowUser('valueAndGradient', 'the loss', 'its evaluation on the saved outputs', e); }
  if (typeof L !== 'number' || !Number.isFinite(L)) throw new TideError('NONFINITE', `valueAndGradient: the loss returned ${String(L)}; it must be a finite number (check the predictions it was given: sol.ys).`);
  checkFinite('valueAndGradient', 'the loss gradient dYs', dYs, 'The loss must write a finite ∂L/∂ys into dYs.');
  return { loss: L, ys: sol.ys, solution: sol, ...sol.backward(dYs) };
}

