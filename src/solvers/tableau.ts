/**
 * Butcher tableaus of explicit Runge–Kutta methods, checked when they are defined (Butcher's notation, Hairer,
 * Nørsett & Wanner, Solving ODEs I, §II.1; coefficients from each method's paper).
 *
 * Conventions: stage derivatives k_i = f(t + c_i h, Y_i) with Y_i = y_n + h Σ_{j<i} a_ij k_j,
 * y_{n+1} = y_n + h Σ b_i k_i, and for embedded pairs the error vector err = h Σ e_i k_i with error weights
 * e = b − b̂ (the sign is irrelevant: only norms of err are used). k_i are derivatives, not increments.
 *
 * A tableau is data plus its interpolant; `defineTableau` checks the identities every consistent explicit RK
 * method satisfies (rows of A sum to c, Σ b = 1, Σ e = 0) and derives the stage count, FSAL, and the pair of
 * equal-c stages that gives Shampine's (1977) free stiffness estimate, so a tableau cannot be half right.
 */
import { TideError } from '../core/errors.ts';
import type { DenseInterpolant } from './dense/polynomial.ts';
import { hermiteCubic } from './dense/hermite.ts';

/** PI controller gains β1 (integral, on E_n) and β2 (proportional, on E_{n−1}) — the PI controller of Hairer's
 * @property beta1 integral gain β1, the exponent of 1/E_n in the step-size factor.
 * @property beta2 proportional gain β2, the exponent of E_{n−1} in the step-size factor.
 * DOPRI5 ("Lund stabilisation") and OrdinaryDiffEq.jl's `PIController`. */
export interface PiGains {
  readonly beta1: number;
  readonly beta2: number;
}

/** What a tableau file writes: the coefficients as printed in the paper, plus its interpolant. */
export interface TableauSpec {
  /** The literature's short name ('tsit5'); used as the method string and in messages. */
  readonly name: string;
  /** Order p of the propagated solution b. */
  readonly order: number;
  /** Nodes c_i, length s; c_1 must be 0 (explicit method). */
  readonly c: readonly number[];
  /** Strictly lower rows of A, as printed: a[0] = [], a[i] has i entries a_i1 … a_ii−1. */
  readonly a: readonly (readonly number[])[];
  /** Propagated weights b, length s. */
  readonly b: readonly number[];
  /** Error weights e = b − b̂ of an embedded pair, length s. Leave out for fixed-step-only methods. */
  readonly bErr?: readonly number[];
  /** Order q of the embedded solution. Default p − 1. */
  readonly errorOrder?: number;
  /**
   * Second error weights e₂ = b − b̂₂ of a second embedded solution, length s, Σ e₂ = 0 (DOP853's 3rd-order
   * estimate; Hairer, Nørsett & Wanner I, §II.10). Only together with bErr and `errorCombination`.
   */
  readonly bErr2?: readonly number[];
  /**
   * How the loop turns the two error vectors into one error ratio E. 'dop853': E = e₁² / sqrt(e₁² + 0.01 e₂²) with
   * e₁, e₂ the norms of err = h Σ e_i k_i and err₂ = h Σ e₂_i k_i (Hairer's dop853.f; SciPy DOP853). Needs bErr2.
   */
  readonly errorCombination?: 'dop853';
  /** Dense output. Default: cubic Hermite (as SciPy's RK23 and diffrax's
   * `ThirdOrderHermitePolynomialInterpolation`). */
  readonly dense?: DenseInterpolant;
  /**
   * Whether `solve` steps adaptively when the caller says nothing. Default: true iff bErr is given. Low-order
   * pairs with an embedded Euler (midpoint, Heun, Ralston) set false: they are mostly used with a fixed step.
   */
  readonly adaptiveByDefault?: boolean;
  /** PI gains. Default the OrdinaryDiffEq.jl rule β1 = 7/(10p), β2 = 2/(5p) (`beta1_default`,
   * `beta2_default`). */
  readonly piGains?: PiGains;
  /** Where the coefficients come from (paper, table), for docs. */
  readonly reference?: string;
}

/**
 * A checked tableau, ready for the stepper. Arrays are owned by the tableau: do not write to them.
 * @property name the method's name ('dopri5', 'tsit5', …), as `method` accepts it.
 * @property order order p of the solution.
 * @property c nodes c_i (length s).
 * @property b weights b_i of the solution (length s).
 * @property dense the continuous extension used by saveAt and solution.evaluate(t).
 * @property adaptiveByDefault whether solves with this method step adaptively unless told otherwise.
 * @property piGains the PI controller gains for this method.
 * @property reference where the coefficients come from (paper, table).
 */
export interface Tableau {
  readonly name: string;
  readonly order: number;
  /** Number of stages s. */
  readonly stages: number;
  readonly c: Float64Array;
  /** a[i] has length i (row i of the strictly lower part of A). */
  readonly a: readonly Float64Array[];
  readonly b: Float64Array;
  /** e = b − b̂, or null for a fixed-step-only method. */
  readonly bErr: Float64Array | null;
  /** Order q of the embedded solution; undefined when bErr is null. */
  readonly errorOrder: number | undefined;
  /** Second error weights e₂ (DOP853's 3rd-order estimate), or null; set iff errorCombination is. */
  readonly bErr2: Float64Array | null;
  /** Rule combining err and err₂ into E (see {@link TableauSpec.errorCombination}), or null for one estimate. */
  readonly errorCombination: 'dop853' | null;
  /** First same as last: c_s = 1, last row of A = b, b_s = 0, so k_s = f(t_{n+1}, y_{n+1}) is the next k_1. */
  readonly fsal: boolean;
  readonly dense: DenseInterpolant;
  readonly adaptiveByDefault: boolean;
  readonly piGains: PiGains;
  /**
   * Stages [x, s−1] (0-based) with c_x = c_s and Y_s = y_{n+1} (FSAL), giving Shampine's stiffness estimate
   * ρ̂ = ‖k_s − k_x‖ / ‖y_{n+1} − Y_x‖ at no cost (Shampine 1977); null when the tableau has no such pair.
   */
  readonly stiffnessStages: readonly [number, number] | null;
  readonly reference: string;
}

const SUM_TOL = 1e-14;

function bad(name: string, what: string): TideError {
  return new TideError('BAD_ARGUMENT', `defineTableau('${name}'): ${what}`, { tableau: name });
}

/** Σ x and Σ |x| of a row (the second scales the rounding tolerance of the first). */
function sums(x: readonly number[]): [number, number] {
  let s = 0, abs = 0;
  for (const v of x) { s += v; abs += Math.abs(v); }
  return [s, abs];
}

function checkRow(name: string, what: string, x: readonly number[] | undefined, len: number): void {
  if (!Array.isArray(x) || x.length !== len) {
    throw bad(name, `${what} must be an array of ${len} numbers (one per stage), got ${Array.isArray(x) ? `${x.length} entries` : typeof x}.`);
  }
  for (let j = 0; j < len; j++) {
    if (typeof x[j] !== 'number' || !Number.isFinite(x[j])) throw bad(name, `${what}[${j}] is ${String(x[j])}; coefficients must be finite numbers.`);
  }
}

/** Row j of an interpolant's extra stages has s + j entries (the step's stages, then the extras before it), sums to c[j]. */
function checkExtraStages(name: string, extra: NonNullable<DenseInterpolant['extraStages']>, s: number): void {
  const m = Array.isArray(extra.c) ? extra.c.length : -1;
  if (m < 1 || !Array.isArray(extra.a) || extra.a.length !== m) {
    throw bad(name, `dense.extraStages must give c and a with one entry per extra stage, got c of ${m < 0 ? typeof extra.c : m} and a of ${Array.isArray(extra.a) ? extra.a.length : typeof extra.a}.`);
  }
  checkRow(name, 'dense.extraStages.c', extra.c, m);
  for (let j = 0; j < m; j++) {
    checkRow(name, `dense.extraStages.a[${j}]`, extra.a[j], s + j);
    const [sum, abs] = sums(extra.a[j]);
    if (Math.abs(sum - extra.c[j]) > SUM_TOL * Math.max(1, abs)) {
      throw bad(name, `row ${j} of dense.extraStages.a sums to ${sum} but its node is ${extra.c[j]}; each row must sum to its node.`);
    }
  }
}

/**
 * Checks a Butcher tableau and derives what the stepper needs (stages, FSAL, stiffness stages).
 *
 * Checks, to 1e-14 × Σ|terms|: every row of A sums to its c_i (so the method is exact for y' = 1 at every
 * stage); Σ b = 1 (consistency); Σ e = 0 when bErr is given (both solutions consistent); c_1 = 0. The same for
 * bErr2 (which needs bErr and errorCombination) and for the interpolant's extra stages (rows of s + j entries).
 * @throws TideError('BAD_ARGUMENT') naming the first identity that fails, with the offending numbers.
 */
export function defineTableau(spec: TableauSpec): Tableau {
  const name = typeof spec?.name === 'string' && spec.name.length > 0 ? spec.name : '?';
  if (name === '?') throw bad(name, 'name must be a non-empty string such as \'rk4\'.');
  if (!Number.isInteger(spec.order) || spec.order < 1) throw bad(name, `order must be a positive integer, got ${spec.order}.`);
  const s = Array.isArray(spec.c) ? spec.c.length : 0;
  if (s === 0) throw bad(name, 'c must list at least one node.');
  checkRow(name, 'c', spec.c, s);
  if (spec.c[0] !== 0) throw bad(name, `c[0] is ${spec.c[0]}; an explicit method starts at c_1 = 0.`);
  if (!Array.isArray(spec.a) || spec.a.length !== s) {
    throw bad(name, `a must have one row per stage (${s}), the first one empty: a = [[], [a21], [a31, a32], …].`);
  }
  for (let i = 0; i < s; i++) {
    checkRow(name, `a[${i}]`, spec.a[i], i);
    const [sum, abs] = sums(spec.a[i]);
    // Row sums = c: a consistent method integrates y' = 1 exactly at every stage.
    if (i > 0 && Math.abs(sum - spec.c[i]) > SUM_TOL * Math.max(1, abs)) {
      throw bad(name, `row ${i} of a sums to ${sum} but c[${i}] = ${spec.c[i]}; each row of A must sum to its node c_i.`);
    }
  }
  checkRow(name, 'b', spec.b, s);
  const [bSum, bAbs] = sums(spec.b);
  if (Math.abs(bSum - 1) > SUM_TOL * Math.max(1, bAbs)) throw bad(name, `b sums to ${bSum}; the weights b must sum to 1.`);
  let bErr: Float64Array | null = null;
  if (spec.bErr !== undefined) {
    checkRow(name, 'bErr', spec.bErr, s);
    const [eSum, eAbs] = sums(spec.bErr);
    // Σ e = Σ b − Σ b̂ = 0 when both solutions are consistent.
    if (Math.abs(eSum) > SUM_TOL * Math.max(1, eAbs)) {
      throw bad(name, `bErr sums to ${eSum}; error weights e = b − b̂ must sum to 0 (is b̂ given instead of b − b̂?).`);
    }
    bErr = Float64Array.from(spec.bErr);
  }
  // A second estimate (DOP853) is only meaningful with a rule that combines it with the first.
  let bErr2: Float64Array | null = null;
  const combination = spec.errorCombination ?? null;
  if (combination !== null && combination !== 'dop853') {
    throw bad(name, `errorCombination must be 'dop853' (the only rule for combining two error estimates), got ${String(combination)}.`);
  }
  if (spec.bErr2 !== undefined || combination !== null) {
    if (bErr === null) throw bad(name, 'bErr2 and errorCombination need bErr (the first error estimate) as well.');
    if (spec.bErr2 === undefined) throw bad(name, `errorCombination '${combination}' needs bErr2, the weights of the second error estimate.`);
    if (combination === null) throw bad(name, 'bErr2 needs errorCombination: \'dop853\', the rule that combines the two error estimates.');
    checkRow(name, 'bErr2', spec.bErr2, s);
    const [eSum, eAbs] = sums(spec.bErr2);
    if (Math.abs(eSum) > SUM_TOL * Math.max(1, eAbs)) {
      throw bad(name, `bErr2 sums to ${eSum}; error weights e₂ = b − b̂₂ must sum to 0 (is b̂₂ given instead of b − b̂₂?).`);
    }
    bErr2 = Float64Array.from(spec.bErr2);
  }
  const errorOrder = bErr === null ? undefined : (spec.errorOrder ?? spec.order - 1);
  if (errorOrder !== undefined && (!Number.isInteger(errorOrder) || errorOrder < 1 || errorOrder >= spec.order + 1)) {
    throw bad(name, `errorOrder must be an integer in [1, ${spec.order}], got ${errorOrder}.`);
  }

  // Extra dense-output stages (DOP853's interpolant) are stages too: same shape and row-sum checks.
  const extra = spec.dense?.extraStages;
  if (extra !== undefined) checkExtraStages(name, extra, s);

  // FSAL: the last stage is evaluated at (t_{n+1}, y_{n+1}), so it is the next step's first stage.
  const last = spec.a[s - 1];
  let fsal = s > 1 && spec.c[s - 1] === 1 && spec.b[s - 1] === 0;
  for (let j = 0; fsal && j < s - 1; j++) if (last[j] !== spec.b[j]) fsal = false;

  // Shampine's estimate needs two stages at the same time, the later one being y_{n+1} itself.
  let stiffnessStages: readonly [number, number] | null = null;
  if (fsal) {
    for (let x = s - 2; x > 0; x--) {
      if (spec.c[x] === spec.c[s - 1]) { stiffnessStages = Object.freeze([x, s - 1] as const); break; }
    }
  }
  const p = spec.order;
  return Object.freeze({
    name,
    order: p,
    stages: s,
    c: Float64Array.from(spec.c),
    a: Object.freeze(spec.a.map((row) => Float64Array.from(row))),
    b: Float64Array.from(spec.b),
    bErr,
    errorOrder,
    bErr2,
    errorCombination: combination,
    fsal,
    dense: spec.dense ?? hermiteCubic,
    adaptiveByDefault: spec.adaptiveByDefault ?? bErr !== null,
    piGains: Object.freeze(spec.piGains ?? { beta1: 7 / (10 * p), beta2: 2 / (5 * p) }),
    stiffnessStages,
    reference: spec.reference ?? '',
  });
}

/** True if `x` is a checked tableau (from {@link defineTableau}). */
export function isTableau(x: unknown): x is Tableau {
  return typeof x === 'object' && x !== null && (x as Tableau).c instanceof Float64Array
    && typeof (x as Tableau).stages === 'number' && Array.isArray((x as Tableau).a);
}
