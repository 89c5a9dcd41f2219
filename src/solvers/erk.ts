/**
 * The one explicit Runge–Kutta stepper: any checked tableau (tableau.ts) becomes a Solver here, on any Term.
 *
 * One step from (t_n, y_n) with signed step h (Hairer, Nørsett & Wanner, *Solving ODEs I*, (II.1.8)), in increment
 * form (diffrax's convention, so one tableau drives ODEs, CDEs and SDEs):
 *
 *     Y_i = y_n + w Σ_{j<i} a_ij k_j,      y_{n+1} = y_n + w Σ_i b_i k_i,      err = w Σ_i e_i k_i   (e = b − b̂)
 *
 * ODE term:    k_i = f(t_n + c_i h, Y_i) (derivatives) and w = h: the increments w·k_i are h·f, bitwise the classical form.
 * Other terms: k_i = vf(t_n + c_i h, Y_i)·ΔX with ΔX = X(t_n + h) − X(t_n) (increments) and w = 1.
 *
 * FSAL tableaus (c_s = 1, last row of A = b) reuse k_s = f(t_{n+1}, y_{n+1}) as the next k_1 on ODE terms (an attempted
 * step costs s − 1 evaluations); on other terms the next step's control differs, so k_1 is evaluated afresh.
 * `erkStageInput` recomputes Y_i with exactly the operations `erkStep` used, so a recomputed stage input is bitwise the
 * forward one (the discrete adjoint in erk-pullback.ts relies on it).
 *
 * Two additions serve DOP853 (tableaus/dopri8.ts) and change nothing for other tableaus: with tableau.bErr2, erkStep
 * also writes a second error vector err₂ = w Σ e₂_i k_i into ws.err2 and erkSolver provides `errorNorm` (the combined
 * ratio, {@link dop853ErrorRatio}); with tableau.dense.extraStages, erkAccept evaluates those stages (1 NFE each) into
 * ws.kDense before packing the dense output.
 */
import type { FieldTape, VectorField } from '../core/field.ts';
import { fieldTape } from '../core/field.ts';
import { TideError, internalError } from '../core/errors.ts';
import { describe } from '../core/array.ts';
import { isTableau } from './tableau.ts';
import type { Term, TermTape } from '../terms/term.ts';
import type { Norm, Tolerance } from '../control/norms.ts';
import type { Solver, SolverWorkspace } from './solver.ts';
import type { Tableau } from './tableau.ts';
import { ErkPullback } from './erk-pullback.ts';
import { justAfter } from '../integrate/time.ts';
import { linComb } from '../core/kernels/blas1.ts';

/**
 * Scratch of one explicit RK solve, allocated once by {@link erkWorkspace}.
 * @property tableau the tableau the workspace was built for.
 * @property termTape stage slots of the term (one per stage) that keep the pullback data of the last step's stages; null until a pullback first needs them (ensureTapes).
 */
export interface ErkWorkspace extends SolverWorkspace {
  readonly tableau: Tableau;
  /** term.ode, or null for increment-form terms. */
  readonly field: VectorField | null;
  /**
   * The s stage arrays of the last attempted step (derivatives for ODE terms, increments otherwise). Valid after
   * `erkStep` until `erkAccept`, which swaps k[0] with the FSAL stage (or with fEnd) on ODE terms. The array object is
   * fixed; its entries are swapped, never reallocated.
   */
  readonly k: Float64Array[];
  /** Stage input scratch Y_i (the last stage of an FSAL tableau is written straight into yOut). */
  readonly yStage: Float64Array;
  /** f(t_{n+1}, y_{n+1}) (or its increment) scratch for non-FSAL tableaus (dense output, steady-state test). */
  fEnd: Float64Array;
  /** True when k[0] holds f(t, y) for the (t, y) the next erkStep starts from (ODE terms only). */
  k1Valid: boolean;
  /**
   * Set by callers that need neither the error estimate nor the FSAL stage (re-advances of checkpointing, the
   * reconstructing base steps of reversible schemes): an FSAL tableau then skips evaluating k_s, which only feeds the
   * error estimate and the next step's k_1 (b_s = 0). k[s − 1] is stale afterwards.
   */
  skipFsalEval: boolean;
  /** Control increment ΔX of the current step (increment-form terms). */
  readonly control: Float64Array;
  /** The stage weight factor w of the last step (h for ODE terms, 1 otherwise). */
  w: number;
  /** When true, stage i is evaluated into slot i of the tapes below (so a pullback can skip re-evaluation). */
  taped: boolean;
  /** Evaluate stage 1 one ulp past t (the first step after a restart at a tstop, replayed by a pullback). */
  nudgeStage0: boolean;
  /** Stage slots (allocated on first use by a pullback). */
  fieldTape: FieldTape | null;
  termTape: TermTape | null;
  /**
   * Second error vector err₂ = w Σ e₂_i k_i of a tableau with bErr2 (DOP853's 3rd-order estimate), written by erkStep
   * whenever it writes errOut; read by erkSolver's errorNorm. Null for tableaus with one estimate.
   */
  readonly err2: Float64Array | null;
  /**
   * What `pack` receives when the interpolant has extra stages (DOP853): the s stage arrays (re-pointed at each
   * erkAccept, since k[0] and k[s − 1] swap), then one array per extra stage. Null for every other interpolant.
   */
  readonly kDense: Float64Array[] | null;
}

/**
 * Allocates the workspace of an explicit RK solve on `term`.
 * The stiffness copy Y_x is allocated only for tableaus with an equal-c stage pair.
 */
export function erkWorkspace(tableau: Tableau, term: Term): ErkWorkspace {
  const dim = term.dim;
  const k: Float64Array[] = [];
  for (let i = 0; i < tableau.stages; i++) k.push(new Float64Array(dim));
  const extra = tableau.dense.extraStages;
  let kDense: Float64Array[] | null = null;
  if (extra !== undefined) {
    kDense = k.slice();
    for (let j = 0; j < extra.c.length; j++) kDense.push(new Float64Array(dim));
  }
  return {
    dim, term, tableau, field: term.ode, k, stepK: k, stepTableau: tableau, trackStiffness: false,
    yStiff: tableau.stiffnessStages && term.ode ? new Float64Array(dim) : null,
    yStage: new Float64Array(dim),
    fEnd: new Float64Array(dim),
    k1Valid: false,
    skipFsalEval: false,
    control: new Float64Array(term.controlDim),
    w: 0,
    taped: false,
    nudgeStage0: false,
    fieldTape: null,
    termTape: null,
    err2: tableau.bErr2 !== null ? new Float64Array(dim) : null,
    kDense,
  };
}

/** Makes the stage slots of ws (one per stage) if it has none yet. */
export function ensureTapes(ws: ErkWorkspace): void {
  if (ws.field !== null) { if (ws.fieldTape === null) ws.fieldTape = fieldTape(ws.field, ws.tableau.stages); }
  else if (ws.termTape === null) ws.termTape = ws.term.tape(ws.tableau.stages);
}

/** Evaluates stage i at (t, Y) into out: through its tape slot when ws.taped. */
function evalStage(ws: ErkWorkspace, i: number, out: Float64Array, t: number, Y: Float64Array, params: Readonly<Float64Array>): void {
  const f = ws.field;
  if (ws.taped) {
    if (f !== null) (ws.fieldTape as FieldTape).eval(i, out, t, Y, params as Float64Array);
    else (ws.termTape as TermTape).vfProd(i, out, t, Y, params, ws.control);
  } else if (f !== null) {
    f.eval(out, t, Y, params as Float64Array);
  } else {
    ws.term.vfProd(out, t, Y, params, ws.control);
  }
}

/**
 * Stage input Y_i = y + w Σ_{j<i} a_ij k_j, written into out (length n). The exact operation order of erkStep:
 * the sum of a_ij k_j (zero coefficients skipped, j increasing, starting from 0) is formed first, then scaled by w
 * and added to y, as SciPy does. out must not alias y or k[j], j < i. Returns out.
 */
export function erkStageInput(out: Float64Array, tableau: Tableau, i: number, w: number,
  y: Readonly<Float64Array>, k: readonly Float64Array[]): Float64Array {
  return linComb(out, y, w, tableau.a[i], k, i);
}

/** out = y + w Σ b_i k_i with the operation order of a stage input (the propagated solution of a non-FSAL tableau). */
export function erkSolution(out: Float64Array, tableau: Tableau, w: number, y: Readonly<Float64Array>, k: readonly Float64Array[]): Float64Array {
  const s = tableau.stages;
  if (tableau.fsal) return erkStageInput(out, tableau, s - 1, w, y, k);
  return linComb(out, y, w, tableau.b, k, s);
}

/**
 * One attempted explicit RK step from (t, y) with signed step h.
 *
 * Writes y_{n+1} into yOut and, if errOut is non-null, err = w Σ e_i k_i (needs tableau.bErr). The stages are left in
 * ws.k (k[0] = f(t, y) is reused when ws.k1Valid, else evaluated). yOut must not alias y or any ws array. Commits
 * nothing: call {@link erkAccept} if the step is kept.
 * @returns the number of evaluations spent (s − 1 for FSAL tableaus on ODE terms once k_1 is known, else s).
 */
export function erkStep(yOut: Float64Array, errOut: Float64Array | null, tableau: Tableau, t: number, h: number,
  y: Readonly<Float64Array>, params: Readonly<Float64Array>, ws: ErkWorkspace): number {
  const s = tableau.stages, k = ws.k, c = tableau.c;
  let nfe = 0;
  let w = h;
  if (ws.field === null) {
    ws.term.control(ws.control, t, t + h);
    w = 1;
    ws.k1Valid = false;
  }
  ws.w = w;
  if (!ws.k1Valid || ws.taped) {
    evalStage(ws, 0, k[0], ws.nudgeStage0 ? justAfter(t, h >= 0 ? 1 : -1) : t, y as Float64Array, params);
    nfe++;
    ws.k1Valid = ws.field !== null;
  }
  // Shampine's estimate needs Y_x of the equal-c pair; Y_s is yOut itself (FSAL), so only Y_x is copied.
  const stiffX = ws.trackStiffness && ws.yStiff !== null && tableau.stiffnessStages ? tableau.stiffnessStages[0] : -1;
  for (let i = 1; i < s; i++) {
    // FSAL: the last stage input is y_{n+1} itself, so build it in place.
    const Yi = tableau.fsal && i === s - 1 ? yOut : ws.yStage;
    erkStageInput(Yi, tableau, i, w, y, k);
    if (Yi === yOut && ws.skipFsalEval && errOut === null) break;
    if (i === stiffX) (ws.yStiff as Float64Array).set(Yi);
    evalStage(ws, i, k[i], t + c[i] * h, Yi, params);
    nfe++;
  }
  if (!tableau.fsal) erkSolution(yOut, tableau, w, y, k);
  if (errOut !== null) {
    const e = tableau.bErr;
    if (e === null) throw internalError('erk.ts', `error vector requested from '${tableau.name}', which has no embedded pair`);
    // err = w Σ e_i k_i directly (not y_{n+1} − ŷ_{n+1}): no cancellation between two nearly equal states.
    linComb(errOut, null, w, e, k, s);
    // Second estimate (tableau.bErr2, DOP853): err₂ = w Σ e₂_i k_i, same operation order; erkSolver's errorNorm
    // combines the norms of err and err₂ into the error ratio.
    const e2 = tableau.bErr2, err2 = ws.err2;
    if (e2 !== null) {
      if (err2 === null) throw internalError('erk.ts', `workspace of '${tableau.name}' has no second error vector`);
      linComb(err2, null, w, e2, k, s);
    }
  }
  ws.stepK = k;
  ws.stepTableau = tableau;
  return nfe;
}

/**
 * The interpolant's extra stages of an accepted step (tableau.dense.extraStages, DOP853's k_14 … k_16):
 * kd[s + j] = f(t + c_j h, y + w Σ_i a_ji kd[i]) over the s stages and the extra stages before j (the increment
 * vf·ΔX of the step's control on other terms), formed in the operation order of {@link erkStageInput}; never taped.
 * Points kd[0 … s−1] at the current ws.k first (the FSAL slot at fEnd). Returns the evaluations spent.
 */
function erkExtraStages(kd: Float64Array[], tableau: Tableau, t: number, h: number, y: Readonly<Float64Array>,
  fEnd: Float64Array | null, params: Readonly<Float64Array>, ws: ErkWorkspace): number {
  const extra = tableau.dense.extraStages;
  if (extra === undefined) throw internalError('erk.ts', `'${tableau.name}' has no extra dense stages`);
  const s = tableau.stages, k = ws.k, Y = ws.yStage, w = ws.w, f = ws.field;
  for (let i = 0; i < s; i++) kd[i] = k[i];
  // The FSAL stage is f(t + h, y_{n+1}); after a step that skipped it (ws.skipFsalEval) fEnd holds it instead.
  if (tableau.fsal && fEnd !== null) kd[s - 1] = fEnd;
  const c = extra.c, a = extra.a, m = c.length;
  for (let j = 0; j < m; j++) {
    linComb(Y, y, w, a[j], kd, s + j);
    if (f !== null) f.eval(kd[s + j], t + c[j] * h, Y, params as Float64Array);
    else ws.term.vfProd(kd[s + j], t + c[j] * h, Y, params, ws.control);
  }
  return m;
}

/**
 * DOP853's error ratio from the norms e5 = ‖err‖ (5th-order estimate) and e3 = ‖err₂‖ (3rd-order estimate):
 * E = e5² / sqrt(e5² + 0.01 e3²) (Hairer, Nørsett & Wanner I, §II.10; Hairer's dop853.f), written as
 * e5 / sqrt(1 + 0.01 (e3/e5)²) so that it cannot overflow; 0 when e5 = 0; NaN or Infinity when either norm is
 * (so the loop rejects the step). With RMS norms this equals SciPy's `DOP853._estimate_error_norm`.
 */
export function dop853ErrorRatio(e5: number, e3: number): number {
  // A non-finite estimate must reject the step: e5 + e3 is NaN or Infinity then (the formula would give 0 for e3 = ∞).
  if (!(e5 < Infinity) || !(e3 < Infinity)) return e5 + e3;
  if (e5 === 0) return 0;
  const r = e3 / e5;
  return e5 / Math.sqrt(1 + 0.01 * r * r);
}

/**
 * Commits the last attempted step (t, h, y → yNew) in ws.
 *
 * If coefOut is non-null, packs the tableau's dense output there (tableau.dense.width·n numbers), first evaluating the
 * interpolant's extra stages if it has any (DOP853: 3 evaluations, counted in the result). If needFEnd or the
 * interpolant needs it, makes f(t + h, yNew) available (FSAL: it is k_s, free; otherwise 1 evaluation into ws.fEnd).
 * Then advances: on ODE terms k[0] becomes f(t + h, yNew) when known (ws.k1Valid = true), else ws.k1Valid = false.
 * @returns the number of evaluations spent (0 or 1, plus the extra dense stages).
 */
export function erkAccept(coefOut: Float64Array | null, needFEnd: boolean, tableau: Tableau, t: number, h: number,
  y: Readonly<Float64Array>, yNew: Readonly<Float64Array>, params: Readonly<Float64Array>, ws: ErkWorkspace): number {
  const k = ws.k, s = tableau.stages, ode = ws.field !== null;
  let nfe = 0;
  let fEnd: Float64Array | null = null;
  if (tableau.fsal && !ws.skipFsalEval) {
    fEnd = k[s - 1];
  } else if (needFEnd || (coefOut !== null && tableau.dense.needsFEnd)) {
    if (ode) (ws.field as VectorField).eval(ws.fEnd, t + h, yNew as Float64Array, params as Float64Array);
    else ws.term.vfProd(ws.fEnd, t + h, yNew, params, ws.control);
    nfe++;
    fEnd = ws.fEnd;
  }
  if (coefOut !== null) {
    // Interpolants with extra stages (DOP853) evaluate them now, once the step is kept: 1 evaluation each.
    const kd = ws.kDense;
    if (kd !== null) nfe += erkExtraStages(kd, tableau, t, h, y, fEnd, params, ws);
    tableau.dense.pack(coefOut, ws.w, y, yNew, kd ?? k, fEnd);
  }
  // Swap array references (no copy): the old k[0] becomes scratch for the next step's stages.
  if (fEnd === null || !ode) {
    ws.k1Valid = false;
  } else if (fEnd === k[s - 1]) {
    const tmp = k[0]; k[0] = k[s - 1]; k[s - 1] = tmp;
    ws.k1Valid = true;
  } else {
    const tmp = k[0]; k[0] = ws.fEnd; ws.fEnd = tmp;
    ws.k1Valid = true;
  }
  return nfe;
}

/**
 * The Solver for a tableau: `erkSolver(tsit5)` is what `solve(…, { method: 'tsit5' })` runs.
 * Passing a custom tableau from {@link defineTableau} as `method` builds one on the fly.
 */
export function erkSolver(tableau: Tableau): Solver<ErkWorkspace> {
  if (!isTableau(tableau)) throw new TideError('BAD_ARGUMENT', `erkSolver: expected a tableau from defineTableau (or one of the exported ones such as rk4), got ${describe(tableau)}.`);
  const solver: Solver<ErkWorkspace> = {
    name: tableau.name,
    order: tableau.order,
    errorOrder: tableau.errorOrder,
    adaptiveByDefault: tableau.adaptiveByDefault,
    reversible: false,
    stateParts: 1,
    checkpointable: true,
    landOnSaves: false,
    piGains: tableau.piGains,
    denseWidth: tableau.dense.width,
    denseOrder: tableau.dense.order,
    stiffnessStages: tableau.stiffnessStages,
    terms: 'any',
    tableau,
    workspace: (term) => erkWorkspace(tableau, term),
    begin(t0, y0, params, ws): number {
      ws.taped = false; ws.skipFsalEval = false;
      if (ws.field === null) { ws.k1Valid = false; return 0; }
      ws.field.eval(ws.k[0], t0, y0 as Float64Array, params as Float64Array);
      ws.k1Valid = true;
      return 1;
    },
    currentF: (ws) => (ws.k1Valid && ws.field !== null ? ws.k[0] : null),
    step: (yOut, errOut, t, h, y, params, ws) => erkStep(yOut, errOut, tableau, t, h, y, params, ws),
    accept: (coefOut, needFEnd, t, h, y, yNew, params, ws) => erkAccept(coefOut, needFEnd, tableau, t, h, y, yNew, params, ws),
    saveState(out, y) { out.set(y); },
    loadState(y, state, ws) { for (let m = 0; m < y.length; m++) y[m] = state[m]; ws.k1Valid = false; },
    pullback: (ws) => new ErkPullback(tableau, ws),
  };
  // Two error estimates (DOP853): E from the solve's norm of err and of ws.err2. Other tableaus leave errorNorm out,
  // so the loop applies the norm to err directly.
  if (tableau.errorCombination === 'dop853') {
    solver.errorNorm = (norm, err, y, yNew, rtol, atol, ws) =>
      dop853ErrorRatio(norm(err, y, yNew, rtol, atol), norm(ws.err2 as Float64Array, y, yNew, rtol, atol));
  }
  return solver;
}

/** Default error ratio of a step: the norm of the error vector (Solver.errorNorm's fallback). */
export function plainErrorNorm(norm: Norm, err: Float64Array, y: Readonly<Float64Array>, yNew: Readonly<Float64Array>,
  rtol: Tolerance, atol: Tolerance): number {
  return norm(err, y as Float64Array, yNew as Float64Array, rtol, atol);
}
