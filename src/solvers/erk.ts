/**
 * The one explicit Runge–Kutta stepper: any checked tableau (tableau.ts) becomes a Solver here.
 *
 * One step from (t_n, y_n) with signed step h (solvers.md §0; Hairer, Nørsett & Wanner, *Solving ODEs I*, (II.1.8)):
 *
 *     Y_i = y_n + h Σ_{j<i} a_ij k_j,      k_i = f(t_n + c_i h, Y_i),      i = 1 … s
 *     y_{n+1} = y_n + h Σ_i b_i k_i,       err = h Σ_i e_i k_i   (e = b − b̂)
 *
 * FSAL tableaus (c_s = 1, last row of A = b) reuse k_s = f(t_{n+1}, y_{n+1}) as the next k_1, so an attempted step
 * costs s − 1 evaluations; the workspace flag `k1Valid` says whether k[0] already holds f(t_n, y_n).
 *
 * Hook for gradient methods (next issue): `erkWorkspace`, `erkStep`, `erkAccept` and `erkStageInput` are the
 * lower-level stepping API. A gradient method can either drive `solve` and copy what it needs in `onAccept`
 * (whose `k` is this workspace's `k`), or call these directly. `erkStageInput` recomputes Y_i with exactly the
 * operations `erkStep` used, so a recomputed stage input is bitwise the forward one.
 */
import type { VectorField } from '../core/field.ts';
import { internalError } from '../core/errors.ts';
import type { Solver, SolverWorkspace } from './solver.ts';
import type { Tableau } from './tableau.ts';

/** Scratch of one explicit RK solve, allocated once by {@link erkWorkspace}. */
export interface ErkWorkspace extends SolverWorkspace {
  /**
   * The s stage derivative arrays of the last attempted step, k[i] = f(t + c_i h, Y_i) (derivatives, not increments).
   * Valid after `erkStep` until `erkAccept`, which swaps k[0] with the FSAL stage (or with fEnd) so that k[0]
   * becomes f(t_{n+1}, y_{n+1}). The array object is fixed; its entries are swapped, never reallocated.
   */
  readonly k: Float64Array[];
  /** Stage input scratch Y_i (the last stage of an FSAL tableau is written straight into yOut). */
  readonly yStage: Float64Array;
  /** f(t_{n+1}, y_{n+1}) scratch for non-FSAL tableaus (dense output, steady-state test). */
  fEnd: Float64Array;
  /** True when k[0] holds f(t, y) for the (t, y) the next erkStep starts from. */
  k1Valid: boolean;
  /**
   * Set by callers that need neither the error estimate nor the FSAL stage (re-advances of checkpointing, the
   * reconstructing base steps of reversible schemes): an FSAL tableau then skips evaluating k_s = f(t_{n+1}, y_{n+1}),
   * which only feeds the error estimate and the next step's k_1 (b_s = 0). k[s − 1] is stale afterwards.
   */
  skipFsalEval: boolean;
}

/**
 * Allocates the workspace of an explicit RK solve over a flat state of length dim.
 * The stiffness copy Y_x is allocated only for tableaus with an equal-c stage pair.
 */
export function erkWorkspace(tableau: Tableau, dim: number): ErkWorkspace {
  const k: Float64Array[] = [];
  for (let i = 0; i < tableau.stages; i++) k.push(new Float64Array(dim));
  return {
    dim, k, stepK: k, stepTableau: tableau, trackStiffness: false,
    yStiff: tableau.stiffnessStages ? new Float64Array(dim) : null,
    yStage: new Float64Array(dim),
    fEnd: new Float64Array(dim),
    k1Valid: false,
    skipFsalEval: false,
  };
}

/**
 * Stage input Y_i = y + h Σ_{j<i} a_ij k_j, written into out (length n). The exact operation order of erkStep:
 * the sum of a_ij k_j (zero coefficients skipped) is formed first, then scaled by h and added to y, as SciPy does.
 * out must not alias y or k[j], j < i. Returns out.
 */
export function erkStageInput(out: Float64Array, tableau: Tableau, i: number, h: number,
  y: Readonly<Float64Array>, k: readonly Float64Array[]): Float64Array {
  const n = out.length;
  const row = tableau.a[i];
  out.fill(0);
  for (let j = 0; j < i; j++) {
    const aij = row[j];
    if (aij === 0) continue;
    const kj = k[j];
    for (let m = 0; m < n; m++) out[m] += aij * kj[m];
  }
  for (let m = 0; m < n; m++) out[m] = y[m] + h * out[m];
  return out;
}

/**
 * One attempted explicit RK step from (t, y) with signed step h.
 *
 * Writes y_{n+1} into yOut and, if errOut is non-null, err = h Σ e_i k_i (needs tableau.bErr). The stage
 * derivatives are left in ws.k (k[0] = f(t, y) is reused when ws.k1Valid, else evaluated). yOut must not alias
 * y or any ws array. Commits nothing: call {@link erkAccept} if the step is kept.
 * @returns the number of f evaluations spent (s − 1 for FSAL tableaus once k_1 is known, else s).
 */
export function erkStep(yOut: Float64Array, errOut: Float64Array | null, tableau: Tableau, field: VectorField,
  t: number, h: number, y: Float64Array, params: Float64Array, ws: ErkWorkspace): number {
  const s = tableau.stages, n = ws.dim, k = ws.k, c = tableau.c;
  let nfe = 0;
  if (!ws.k1Valid) {
    field.eval(k[0], t, y, params);
    nfe++;
    ws.k1Valid = true;
  }
  // Shampine's estimate needs Y_x of the equal-c pair; Y_s is yOut itself (FSAL), so only Y_x is copied.
  const stiffX = ws.trackStiffness && tableau.stiffnessStages ? tableau.stiffnessStages[0] : -1;
  for (let i = 1; i < s; i++) {
    // FSAL: the last stage input is y_{n+1} itself, so build it in place.
    const Yi = tableau.fsal && i === s - 1 ? yOut : ws.yStage;
    erkStageInput(Yi, tableau, i, h, y, k);
    if (Yi === yOut && ws.skipFsalEval && errOut === null) break;
    if (i === stiffX) (ws.yStiff as Float64Array).set(Yi);
    field.eval(k[i], t + c[i] * h, Yi, params);
    nfe++;
  }
  if (!tableau.fsal) {
    // Same operation order as a stage input (Σ b_i k_i first, then y + h·Σ), zero weights skipped.
    const b = tableau.b;
    yOut.fill(0);
    for (let i = 0; i < s; i++) {
      const bi = b[i];
      if (bi === 0) continue;
      const ki = k[i];
      for (let m = 0; m < n; m++) yOut[m] += bi * ki[m];
    }
    for (let m = 0; m < n; m++) yOut[m] = y[m] + h * yOut[m];
  }
  if (errOut !== null) {
    const e = tableau.bErr;
    if (e === null) throw internalError('erk.ts', `error vector requested from '${tableau.name}', which has no embedded pair`);
    // err = h Σ e_i k_i directly (not y_{n+1} − ŷ_{n+1}): no cancellation between two nearly equal states.
    errOut.fill(0);
    for (let i = 0; i < s; i++) {
      const ei = e[i];
      if (ei === 0) continue;
      const ki = k[i];
      for (let m = 0; m < n; m++) errOut[m] += ei * ki[m];
    }
    for (let m = 0; m < n; m++) errOut[m] *= h;
  }
  ws.stepK = k;
  ws.stepTableau = tableau;
  return nfe;
}

/**
 * Commits the last attempted step (t, h, y → yNew) in ws.
 *
 * If coefOut is non-null, packs the tableau's dense output there (tableau.dense.width·n numbers). If needFEnd or
 * the interpolant needs it, makes f(t + h, yNew) available (FSAL: it is k_s, free; otherwise 1 NFE into ws.fEnd).
 * Then advances: k[0] becomes f(t + h, yNew) when known (ws.k1Valid = true), else ws.k1Valid = false.
 * @returns the number of f evaluations spent (0 or 1).
 */
export function erkAccept(coefOut: Float64Array | null, needFEnd: boolean, tableau: Tableau, field: VectorField,
  t: number, h: number, y: Float64Array, yNew: Float64Array, params: Float64Array, ws: ErkWorkspace): number {
  const k = ws.k, s = tableau.stages;
  let nfe = 0;
  let fEnd: Float64Array | null = null;
  if (tableau.fsal) {
    fEnd = k[s - 1];
  } else if (needFEnd || (coefOut !== null && tableau.dense.needsFEnd)) {
    field.eval(ws.fEnd, t + h, yNew, params);
    nfe++;
    fEnd = ws.fEnd;
  }
  if (coefOut !== null) tableau.dense.pack(coefOut, h, y, yNew, k, fEnd);
  // Swap array references (no copy): the old k[0] becomes scratch for the next step's stages.
  if (fEnd === null) {
    ws.k1Valid = false;
  } else if (tableau.fsal) {
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
  return {
    name: tableau.name,
    order: tableau.order,
    errorOrder: tableau.errorOrder,
    adaptiveByDefault: tableau.adaptiveByDefault,
    reversible: false,
    piGains: tableau.piGains,
    denseWidth: tableau.dense.width,
    denseOrder: tableau.dense.order,
    stiffnessStages: tableau.stiffnessStages,
    tableau,
    workspace: (dim) => erkWorkspace(tableau, dim),
    begin(field, t0, y0, params, ws): number {
      field.eval(ws.k[0], t0, y0, params);
      ws.k1Valid = true;
      return 1;
    },
    currentF: (ws) => (ws.k1Valid ? ws.k[0] : null),
    step: (yOut, errOut, field, t, h, y, params, ws) => erkStep(yOut, errOut, tableau, field, t, h, y, params, ws),
    accept: (coefOut, needFEnd, field, t, h, y, yNew, params, ws) =>
      erkAccept(coefOut, needFEnd, tableau, field, t, h, y, yNew, params, ws),
  };
}
