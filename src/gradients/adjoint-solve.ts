/**
 * The backward (adjoint) solve shared by the continuous gradient methods (backsolve, Chen et al. 2018; IRDM,
 * Daulbaev et al. 2020 §2): the augmented state S = [y?, a_y, a_θ] is integrated backward from the last save time
 * to t0, save interval by save interval,
 * with dy/dt = f, da_y/dt = −a_yᵀ ∂f/∂y, da_θ/dt = −a_yᵀ ∂f/∂θ (one f evaluation and one VJP per stage; Chen et al. 2018,
 * eq. (4); Pontryagin's adjoint). Backsolve re-solves y (and re-anchors it to the forward value at every save time);
 * the interpolated method (IRDM, Daulbaev et al. 2020) reads y(t) from an interpolant instead, so S = [a_y, a_θ].
 *
 * Settings the backward solve inherits unless told otherwise: the forward's solver (the base method of a reversible
 * one), fixed or adaptive stepping, the fixed stepSize, tolerances and maxSteps, and its tstops (the field may jump
 * there, so the adjoint must restart there too). Adaptive intervals carry the controller's step proposal from one save
 * time to the next (no fresh initial-step guess per interval).
 */
import type { VectorField } from '../core/field.ts';
import { TideError, checkOptionKeys, unknownName } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import type { Norm, Tolerance } from '../control/norms.ts';
import { rmsNorm, rmsNormRange } from '../control/norms.ts';
import { resolveSolveOptions, type ResolvedOptions } from '../integrate/options.ts';
import { integrate } from '../integrate/solve.ts';
import type { Solver } from '../solvers/solver.ts';
import { resolveSolver } from '../solvers/registry.ts';
import { erkSolver } from '../solvers/erk.ts';
import { odeTerm } from '../terms/ode.ts';
import { trustField } from '../integrate/field-check.ts';
import { justAfter } from '../integrate/time.ts';
import type { Tableau } from '../solvers/tableau.ts';
import type { ForwardRecord, GradientReport } from './method.ts';
import { newReport } from './method.ts';

/** Names of the adjoint error norms (what each one measures: {@link AdjointSolveOptions.norm}). */
export const ADJOINT_NORM_NAMES = ['rms', 'seminorm', 'rms-flat', 'seminorm-flat', 'rms-per-tensor', 'seminorm-per-tensor'] as const;
/** A name in {@link ADJOINT_NORM_NAMES}: the error norm of an adjoint solve's augmented state (see {@link AdjointSolveOptions.norm}). */
export type AdjointNormName = (typeof ADJOINT_NORM_NAMES)[number];

/**
 * Options of the backward solve of backsolve and interpolated (all default to the forward's settings).
 * @property rtol relative tolerance of the backward solve (default: the forward's).
 * @property atol absolute tolerance of the backward solve (default: the forward's).
 * @property maxSteps most attempted steps of the backward solve (default: the forward's).
 */
export interface AdjointSolveOptions {
  rtol?: number;
  atol?: number;
  /**
   * Error norm of the augmented state [y?, a_y, a_θ] (Kidger, Chen & Lyons 2021, §2.2):
   * 'rms' (default): the largest block RMS over y, a_y and a_θ (all parameters one block);
   * 'seminorm': the same without a_θ (Kidger, Chen & Lyons 2021): never feeds back, so its error need not limit steps;
   * 'rms-flat' / 'seminorm-flat': one RMS over all components (without a_θ) as diffrax;
   * 'rms-per-tensor' / 'seminorm-per-tensor': torchdiffeq's default, the max over y, a_y and each parameter tensor
   *   (tensors from the field's model, or `paramBlocks`);
   * or a function (err, yPrev, yNew, rtol, atol) => number over the augmented layout [y?, a_y, a_θ].
   */
  norm?: AdjointNormName | Norm;
  /** Offsets where each parameter tensor starts (for the per-tensor norms), e.g. [0, 100, 150]; default from the model. */
  paramBlocks?: readonly number[];
  /** Solver of the backward solve: a method name, Solver or tableau. Default: the forward's. */
  solver?: string | Solver | Tableau;
  /** Fixed step size of the backward solve; default the forward's (for fixed-step forwards). */
  stepSize?: number;
  /** Adaptive backward solve; default: as the forward. */
  adaptive?: boolean;
  maxSteps?: number;
  /** Times the backward solve must restart at; default the forward's tstops. */
  tstops?: readonly number[];
}

export const ADJOINT_KEYS = ['rtol', 'atol', 'norm', 'paramBlocks', 'solver', 'stepSize', 'adaptive', 'maxSteps', 'tstops'];

/** Strictest scalar of a tolerance (augmented states differ in length from the forward state). */
const scalarTol = (t: Tolerance): number => (typeof t === 'number' ? t : t.reduce((a, b) => Math.min(a, b), Infinity));

/** The norm for an augmented state with blocks starting at `bounds`, the last block(s) being parameter tensors. */
export function adjointNormOf(kind: AdjointNormName | Norm, stateBlocks: readonly number[], paramBlocks: readonly number[], end: number): Norm {
  if (typeof kind === 'function') return kind;
  if (!(ADJOINT_NORM_NAMES as readonly string[]).includes(kind)) throw unknownName('gradient', 'adjoint norm', String(kind), ADJOINT_NORM_NAMES);
  const pStart = stateBlocks[stateBlocks.length - 1];
  if (kind === 'rms-flat') return rmsNorm;
  if (kind === 'seminorm-flat') return (err, yPrev, yNew, rtol, atol) => rmsNormRange(err, yPrev, yNew, rtol, atol, 0, pStart);
  const b: number[] = [...stateBlocks];
  if (kind === 'rms') b.push(end);
  else if (kind === 'rms-per-tensor') { for (const o of paramBlocks) if (o > 0) b.push(pStart + o); b.push(end); }
  const bounds = Int32Array.from(b);
  const blocks = bounds.length - 1;
  return (err, yPrev, yNew, rtol, atol) => {
    let e = 0;
    for (let i = 0; i < blocks; i++) {
      const v = rmsNormRange(err, yPrev, yNew, rtol, atol, bounds[i], bounds[i + 1]);
      if (v > e || v !== v) e = v;
    }
    return e;
  };
}

/** Validates AdjointSolveOptions (names each option as itself in messages). */
export function checkAdjointOptions(method: string, o: AdjointSolveOptions): void {
  checkOptionKeys(method, o, ADJOINT_KEYS);
  for (const k of ['rtol', 'atol', 'stepSize'] as const) {
    const v = o[k];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
      throw new TideError('BAD_OPTION', `${method}: the adjoint ${k} must be a finite number > 0, got ${describe(v)}.`, { option: k });
    }
  }
  if (o.maxSteps !== undefined && !(Number.isInteger(o.maxSteps) && o.maxSteps > 0)) throw new TideError('BAD_OPTION', `${method}: the adjoint maxSteps must be a positive integer, got ${describe(o.maxSteps)}.`, { option: 'maxSteps' });
  if (o.norm !== undefined && typeof o.norm !== 'function' && !(ADJOINT_NORM_NAMES as readonly string[]).includes(o.norm)) throw unknownName(method, 'adjoint norm', String(o.norm), ADJOINT_NORM_NAMES);
}

/**
 * The solver of a backward adjoint solve: the one given, else the forward's, except that a reversible forward solver
 * gives its RK base (the adjoint ODE needs no reversibility), or tsit5 when it has none.
 */
export function adjointSolverFor(method: string, forward: Solver, given: string | Solver | Tableau | undefined): Solver {
  if (given !== undefined) return resolveSolver(given, method);
  if (!forward.reversible) return forward;
  return forward.coupling !== undefined ? erkSolver(forward.coupling.base) as unknown as Solver : resolveSolver('tsit5', method);
}

/** Where y(t) comes from during the backward solve: re-solved (backsolve) or interpolated. */
export type StateSource = { kind: 'resolve' } | { kind: 'interp'; fill(out: Float64Array, t: number): void; bytes: number; nodes: number };

/** The augmented field [y?, a_y, a_θ] as a VectorField (one f evaluation + one VJP per call). */
function augmentedField(field: VectorField, params: { v: Readonly<Float64Array> }, source: StateSource): VectorField & { vjps: number } {
  const d = field.dim, p = field.paramCount;
  const withY = source.kind === 'resolve';
  const yb = new Float64Array(d), vb = new Float64Array(d), fb = new Float64Array(d), dyb = new Float64Array(d), dpb = new Float64Array(p);
  const aOff = withY ? d : 0, pOff = aOff + d;
  const aug = {
    dim: pOff + p, paramCount: 0, name: `adjoint of ${field.name ?? 'f'}`, vjps: 0,
    eval(out: Float64Array, t: number, S: Float64Array): void {
      if (withY) for (let m = 0; m < d; m++) yb[m] = S[m];
      else source.fill(yb, t);
      for (let m = 0; m < d; m++) vb[m] = -S[aOff + m];
      dpb.fill(0);
      field.vjp!(dyb, dpb, vb, t, yb, params.v as Float64Array, fb);
      aug.vjps++;
      if (withY) for (let m = 0; m < d; m++) out[m] = fb[m];
      for (let m = 0; m < d; m++) out[aOff + m] = dyb[m];
      for (let m = 0; m < p; m++) out[pOff + m] = dpb[m];
    },
  };
  return trustField(aug);
}

/** The prepared backward solve of one continuous method: augmented field and options built once. */
export class AdjointSolver {
  private readonly aug: VectorField & { vjps: number };
  private readonly base: ResolvedOptions;
  private readonly S: Float64Array;
  private readonly params = { v: new Float64Array(0) as Readonly<Float64Array> };
  private readonly withY: boolean;
  private readonly d: number;
  private readonly p: number;
  private readonly stops: Float64Array;
  private readonly stopSet: Set<number>;
  private readonly ws;
  private readonly fixedStep: number | undefined;

  constructor(private readonly where: string, private readonly method: string, fwd: ResolvedOptions, o: AdjointSolveOptions, private readonly source: StateSource) {
    const field = fwd.field;
    if (field === null) throw new TideError('BAD_OPTION', `${where}: gradient '${method}' solves the adjoint ODE of dy/dt = f(t, y), so it needs an ODE term; '${fwd.term.name}' is not one. Use gradient 'direct', 'checkpoint' or 'reversible' for SDE/CDE terms.`, { option: 'gradient' });
    if (typeof field.vjp !== 'function') throw new TideError('BAD_ARGUMENT', `${where}: the vector field '${field.name ?? 'f'}' has no vjp, so gradients cannot be computed. Build it with fieldFromTrace or fieldFromModel, or give it a vjp method.`);
    this.d = field.dim; this.p = field.paramCount;
    this.withY = source.kind === 'resolve';
    this.aug = augmentedField(field, this.params, source);
    this.S = new Float64Array(this.aug.dim);
    const solver = adjointSolverFor(method, fwd.solver, o.solver);
    const adaptive = o.adaptive ?? (fwd.adaptive && solver.errorOrder !== undefined);
    this.fixedStep = o.stepSize ?? (adaptive ? undefined : fwd.stepSize);
    if (!adaptive && this.fixedStep === undefined) throw new TideError('BAD_OPTION', `${where}: the adjoint solve of '${method}' steps with fixed steps but has no stepSize; give ${method}({ stepSize }).`, { option: 'stepSize' });
    const d = this.d, blocks = this.withY ? [0, d, 2 * d] : [0, d];
    const model = (field as { model?: { paramNames?: readonly { offset: number }[] } }).model;
    const paramBlocks = o.paramBlocks ?? (model?.paramNames ? model.paramNames.map((b) => b.offset) : [0]);
    const normKind = o.norm ?? 'rms';
    const norm = adjointNormOf(normKind === 'seminorm' ? 'seminorm' : normKind === 'seminorm-per-tensor' ? 'seminorm' : normKind, blocks, paramBlocks, this.aug.dim);
    this.stops = Float64Array.from(o.tstops ?? fwd.tstops);
    this.stopSet = new Set(this.stops);
    this.base = resolveSolveOptions(odeTerm(this.aug), this.S, {
      t0: 1, t1: 0, method: solver, adaptive, rtol: scalarTol(o.rtol ?? fwd.rtol), atol: scalarTol(o.atol ?? fwd.atol), norm,
      maxSteps: o.maxSteps ?? fwd.maxSteps, ...(this.fixedStep !== undefined ? { stepSize: this.fixedStep } : {}), stabilityCheck: false,
    });
    this.ws = this.base.solver.workspace(this.base.term);
  }

  get bytes(): number {
    const stages = (this.base.solver.tableau?.stages ?? 4);
    return 8 * this.aug.dim * (stages + 6) + 8 * (5 * this.d + this.p) + (this.source.kind === 'interp' ? this.source.bytes : 0);
  }

  /** Runs the backward solve for cotangent rows dYs at the forward's save times; writes dY0 and dParams. */
  run(fwd: ForwardRecord, dYs: Readonly<Float64Array>, dY0: Float64Array, dParams: Float64Array, onStep?: (done: number, total: number) => void): GradientReport {
    const d = this.d, p = this.p, S = this.S, withY = this.withY;
    const aOff = withY ? d : 0, pOff = aOff + d;
    const ts = fwd.saveTimes, ys = fwd.solution.ys, K = ts.length;
    const t0 = fwd.grid.times[0];
    const dir = fwd.grid.N > 0 && fwd.grid.times[fwd.grid.N] < t0 ? -1 : 1;
    this.params.v = fwd.params;
    this.aug.vjps = 0;
    S.fill(0);
    let backwardSteps = 0, nfe = 0, hCarry = NaN;
    let q = K - 1;
    let tCur = K > 0 ? ts[q] : t0;
    const addSavesAt = (tau: number): void => {
      while (q >= 0 && ts[q] === tau) {
        for (let m = 0; m < d; m++) S[aOff + m] += dYs[q * d + m];
        q--;
      }
    };
    const anchor = (row: number): void => { if (withY) { if (row >= 0) for (let m = 0; m < d; m++) S[m] = ys[row * d + m]; else S.set(fwd.y0, 0); } };
    anchor(K - 1);
    addSavesAt(tCur);
    const total = K;
    while (dir * (tCur - t0) > 0) {
      const tNext = q >= 0 ? ts[q] : t0;
      const inside = this.stops.filter((v) => dir * (v - tNext) > 0 && dir * (tCur - v) > 0).sort();
      if (dir > 0) inside.reverse();
      const adaptive = this.base.adaptive;
      // An interval that starts on a tstop of the forward starts one ulp past it, on the far side of a jump of f.
      const start = this.stopSet.has(tCur) ? justAfter(tCur, -dir) : tCur;
      const cfg: ResolvedOptions = {
        ...this.base, t0: start, t1: tNext, tstops: inside, landings: inside, restartAt: new Uint8Array(inside.length).fill(1),
        stepSize: adaptive ? (Number.isFinite(hCarry) ? Math.min(Math.abs(hCarry), Math.abs(tCur - tNext)) : undefined) : this.fixedStep,
        saveAt: { t0: false, t1: false, ts: new Float64Array(0), steps: false, dense: false },
      };
      let sol;
      try {
        sol = integrate(cfg, S, this.ws);
      } catch (e) {
        // Name the backward solve, not "solve (…): f …", and keep the loop's message as the cause.
        if (e instanceof TideError && (e.code === 'NONFINITE' || e.code === 'STEP_UNDERFLOW' || e.code === 'MAX_STEPS')) {
          const what = e.code === 'NONFINITE' ? 'became non-finite (the VJP of f, the adjoint state or the parameter cotangent overflowed or hit NaN)'
            : e.code === 'MAX_STEPS' ? `took more than maxSteps = ${this.base.maxSteps} steps` : 'could not take a step small enough to meet its tolerance';
          throw new TideError(e.code, `${this.where}: the backward adjoint solve from t = ${tCur} to ${tNext} ${what}. ${e.code === 'MAX_STEPS' ? `Raise ${this.method}({ maxSteps }) or loosen ${this.method}({ rtol, atol }).` : `Check the field's derivatives along the solution, or use gradient 'direct' / 'checkpoint'.`} (${e.message})`, { ...e.details, method: this.method, interval: [tCur, tNext] }, { cause: e });
        }
        throw e;
      }
      S.set(sol.yFinal);
      nfe += sol.stats.nfe;
      backwardSteps += sol.stats.nAccepted + sol.stats.nRejected;
      if (Number.isFinite(sol.nextStepSize)) hCarry = sol.nextStepSize;
      tCur = tNext;
      // Re-anchor y to the forward value (the backward re-solve drifts) and add the loss cotangent here.
      anchor(q);
      addSavesAt(tCur);
      if (onStep) onStep(total - Math.max(q + 1, 0), total);
    }
    for (let m = 0; m < d; m++) dY0[m] = S[aOff + m];
    for (let m = 0; m < p; m++) dParams[m] = S[pOff + m];
    const report = newReport(this.method);
    report.nfeForward = fwd.solution.stats.nfe;
    report.nfeBackward = nfe;
    report.vjpBackward = this.aug.vjps;
    report.steps = fwd.grid.N;
    report.backwardSteps = backwardSteps;
    report.stateBytes = this.bytes;
    report.peakBytes = report.stateBytes + 8 * ys.length;
    report.effectiveCheckpoints = this.source.kind === 'interp' ? this.source.nodes : K;
    return report;
  }
}
