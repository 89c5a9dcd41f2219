/**
 * Linear stability of reversible solvers (McCallum & Foster 2024, arXiv 2410.11648): the λ-coupled McCallum–Foster scheme around an explicit
 * Runge–Kutta base, and the older asynchronous leapfrog (ALF/MALI) and reversible Heun schemes for comparison.
 *
 * Scheme (McCallum & Foster 2024, "Efficient, Accurate and Stable Gradients for Neural ODEs", arXiv 2410.11648;
 * Foster & McCallum slides), in the full-step form of the authors' diffrax code, with base step Φ:
 *     y_{n+1} = λ (y_n − z_n) + Φ_h(z_n),      z_{n+1} = z_n + y_{n+1} − Φ_{−h}(y_{n+1}),      λ ∈ (0, 1].
 * On the test equation y' = αy with z = hα (the letter z is the scaled step, as in every stability text; the second
 * state component never appears here by name), Φ_h x = R(z) x with the base method's stability polynomial
 * R(z) = 1 + z bᵀ(I − zA)⁻¹𝟙, and one step maps (y_n, z_n) ↦ M (y_n, z_n) with (derived from the scheme above)
 *     M = [[λ,               R(z) − λ                   ],
 *          [−λ(R(−z) − 1),   1 − (R(−z) − 1)(R(z) − λ)  ]],
 * with det M = λ and tr M = Γ(z) = 1 + λ − (R(−z) − 1)(R(z) − λ).
 * The eigenvalues solve μ² − Γμ + λ = 0. By the Schur–Cohn test, both lie strictly inside the unit disc iff
 * |Γ − λ conj(Γ)| < 1 − λ², i.e. iff Γ lies strictly inside the ellipse (Re Γ/(1+λ))² + (Im Γ/(1−λ))² < 1. On the real
 * axis this is McCallum & Foster's (arXiv 2410.11648) |Γ| < 1 + λ; off it, |Γ| < 1 + λ alone is not sufficient. At λ = 1 the ellipse degenerates and
 * det M = 1, so |μ₁μ₂| = 1: the scheme is nowhere (asymptotically) stable, at best neutral.
 *
 * Interpretation: near z = 0 one eigenvalue is ≈ R(z) (the physical mode, the base solver's own amplification)
 * and the other ≈ λ/R(z) (the parasitic y − z mode, damped by λ per step). Both are inside the unit disc only while
 * λ < |R(z)| < 1, so for damped modes the forward scheme is stable roughly while h·|Re α| < 1 − λ: smaller λ gives a
 * larger forward region (Foster & McCallum slides: "decreasing λ increases the stability region") at the price of backward
 * (reconstruction) stability, whose round-off grows like ε·λ^{−N} (M⁻¹'s parasitic eigenvalue ≈ R(z)/λ per
 * backward step).
 *
 * The slides' figure (h = 1, λ = 0.8) matches this matrix for Euler only: the authors' plot script (sammccallum/reversible
 * `experiments/stability/plot.py`, `eig_*`) uses closed forms
 * equal to this matrix with R replaced by R − 1, which differ whenever R − 1 is not odd. tide
 * follows the matrix above, which was checked entrywise against simulated steps (and is tested so here), so its
 * Midpoint/RK3/RK4 regions differ from the slides' (e.g. λ = 0.8, Midpoint: (−2.401, −1.775) ∪ (−0.225, 0), not (−0.215, 0)).
 *
 * Older schemes (ALF/MALI, reversible Heun) have det = −1, so some |μ| ≥ 1 for every z (Foster & McCallum slides:
 * "not A-stable for any α").
 *
 * Complex numbers are [re, im] pairs (Float64Array(2)); a 2×2 complex matrix is a Float64Array(8), row-major,
 * [m11re, m11im, m12re, m12im, m21re, m21im, m22re, m22im]. Everything is float64.
 */
import { TideError, checkOptions, fmtGot, unknownName } from '../../core/errors.ts';
import { isTableau, type Tableau } from '../tableau.ts';

/** Coefficients of a stability polynomial, constant term first: R(z) = Σ_k coeffs[k] z^k. */
export type StabilityPolynomial = Readonly<Float64Array> | readonly number[];

/** A base method given either as an explicit tableau or directly by its stability polynomial. */
export type BaseMethod = Tableau | StabilityPolynomial;

/** A complex number: a real number, or [re, im]. */
export type ComplexInput = number | ArrayLike<number>;

/** An open interval (lo, hi) of the real axis. */
export type OpenInterval = readonly [lo: number, hi: number];

/** Module scratch for allocation-free inner loops (single-threaded, no re-entrancy). */
const H = new Float64Array(2); // Horner result
const Q = new Float64Array(4); // [R(z) − λ, R(−z) − 1] as complex pairs
const C = new Float64Array(2); // complex square root
const ZIN = new Float64Array(2); // parsed z

// ---------------------------------------------------------------------------------------------------------------
// Validation

function checkLambdaArg(where: string, lambda: number): void {
  if (typeof lambda !== 'number' || !(lambda > 0 && lambda <= 1)) {
    throw new TideError('BAD_OPTION',
      `${where}: λ must be in (0, 1], got ${String(lambda)}. λ = 1 leaves the parasitic y − z mode undamped (det M = 1, `
      + `nowhere asymptotically stable); values near 1 such as 0.999 (tide's default) or 0.99 keep reconstruction `
      + `round-off small; smaller values such as 0.8 (the slides' figure) enlarge the forward stability region.`,
      { option: 'lambda', value: lambda });
  }
}

/** Checks that `tableau` is explicit (A strictly lower triangular) with finite coefficients; returns s. */
function checkExplicit(where: string, tableau: Tableau): number {
  if (tableau === null || typeof tableau !== 'object') {
    throw new TideError('BAD_ARGUMENT', `${where}: expected a tableau such as rk4 (from defineTableau), got ${fmtGot(tableau)}.`);
  }
  const b = tableau.b, a = tableau.a;
  const s = b?.length ?? 0;
  const name = typeof tableau.name === 'string' ? tableau.name : '?';
  if (!Array.isArray(b) && !ArrayBuffer.isView(b)) {
    throw new TideError('BAD_ARGUMENT', `${where}: tableau '${name}' has no weights b (got ${fmtGot(b)}); build it with defineTableau.`, { tableau: name });
  }
  if (s === 0 || !Array.isArray(a) || a.length !== s) {
    throw new TideError('BAD_ARGUMENT', `${where}: tableau '${name}' has ${s} weights b but ${Array.isArray(a) ? a.length : 'no'} rows `
      + `of A; an s-stage tableau needs s rows (build it with defineTableau).`, { tableau: name });
  }
  for (let i = 0; i < s; i++) {
    if (!Number.isFinite(b[i])) {
      throw new TideError('BAD_ARGUMENT', `${where}: tableau '${name}' has b[${i}] = ${b[i]}; weights must be finite.`, { tableau: name });
    }
    const row = a[i];
    if (!Array.isArray(row) && !ArrayBuffer.isView(row as unknown)) {
      throw new TideError('BAD_ARGUMENT', `${where}: tableau '${name}' row a[${i}] is ${fmtGot(row)}; each row of A must be an array of numbers (build it with defineTableau).`, { tableau: name });
    }
    for (let j = 0; j < row.length; j++) {
      if (!Number.isFinite(row[j])) {
        throw new TideError('BAD_ARGUMENT', `${where}: tableau '${name}' has a[${i}][${j}] = ${row[j]}; coefficients must be finite.`,
          { tableau: name });
      }
      if (j >= i && row[j] !== 0) {
        throw new TideError('BAD_ARGUMENT', `${where}: tableau '${name}' is not explicit: a[${i}][${j}] = ${row[j]} is on or above the `
          + `diagonal. This analysis needs an explicit Runge–Kutta method (strictly lower A), whose R(z) is a polynomial; `
          + `for implicit methods R(z) = 1 + z bᵀ(I − zA)⁻¹𝟙 is rational.`, { tableau: name, row: i, col: j });
      }
    }
  }
  return s;
}

function checkPolynomial(where: string, coeffs: StabilityPolynomial): void {
  if (coeffs === null || typeof coeffs !== 'object' || typeof (coeffs as ArrayLike<number>).length !== 'number') {
    throw new TideError('BAD_ARGUMENT', `${where}: expected stability polynomial coefficients such as [1, 1, 1/2] (constant term first), got ${fmtGot(coeffs)}.`);
  }
  if (coeffs.length === 0) {
    throw new TideError('BAD_ARGUMENT', `${where}: the stability polynomial has no coefficients; pass [1, 1] for Euler's R(z) = 1 + z, or a tableau.`);
  }
  for (let k = 0; k < coeffs.length; k++) {
    if (!Number.isFinite(coeffs[k])) {
      throw new TideError('BAD_ARGUMENT', `${where}: stability polynomial coefficient ${k} is ${coeffs[k]}; coefficients must be finite.`,
        { index: k });
    }
  }
}

/** The stability polynomial of a tableau or a checked coefficient array. */
function resolve(where: string, base: BaseMethod): StabilityPolynomial {
  if (isTableau(base)) return stabilityPolynomial(base);
  if (base === null || typeof base !== 'object' || typeof (base as ArrayLike<number>).length !== 'number') {
    throw new TideError('BAD_ARGUMENT',
      `${where}: expected a tableau (e.g. rk4) or stability polynomial coefficients [1, 1, 1/2, …], got ${fmtGot(base)}.`);
  }
  checkPolynomial(where, base);
  return base;
}

/** Parses z into ZIN. */
function parseZ(where: string, z: ComplexInput): Float64Array {
  if (typeof z === 'number') { ZIN[0] = z; ZIN[1] = 0; }
  else if (z !== null && typeof z === 'object' && z.length === 2) { ZIN[0] = z[0]; ZIN[1] = z[1]; }
  else {
    const got = Array.isArray(z) ? `an array of ${z.length}` : typeof z;
    throw new TideError('BAD_ARGUMENT', `${where}: z must be a number or an [re, im] pair, got ${got}.`);
  }
  if (!Number.isFinite(ZIN[0]) || !Number.isFinite(ZIN[1])) {
    throw new TideError('BAD_ARGUMENT', `${where}: z = ${ZIN[0]} + ${ZIN[1]}i must be finite.`);
  }
  return ZIN;
}

// ---------------------------------------------------------------------------------------------------------------
// Stability polynomial

/**
 * Coefficients of the stability polynomial R(z) = 1 + z bᵀ(I − zA)⁻¹𝟙 of an explicit s-stage tableau, constant term
 * first (length s + 1; degree ≤ s). Since A is nilpotent, R(z) = 1 + Σ_{k=1}^{s} z^k bᵀA^{k−1}𝟙, computed term by term.
 * For a method of order p the first p + 1 coefficients are 1/k!.
 * @throws TideError('BAD_ARGUMENT') if A is not strictly lower triangular (implicit method: R is rational, not a
 *   polynomial) or a coefficient is not finite.
 */
export function stabilityPolynomial(tableau: Tableau): Float64Array {
  const s = checkExplicit('stabilityPolynomial', tableau);
  const a = tableau.a, b = tableau.b;
  const coeffs = new Float64Array(s + 1);
  coeffs[0] = 1;
  let v = new Float64Array(s).fill(1); // A^{k−1} 𝟙
  let w = new Float64Array(s);
  for (let k = 1; k <= s; k++) {
    let dot = 0;
    for (let i = 0; i < s; i++) dot += b[i] * v[i];
    coeffs[k] = dot;
    // w = A v over the strictly lower part (rows may be shorter than s: missing entries are 0).
    for (let i = 0; i < s; i++) {
      const row = a[i], m = Math.min(i, row.length);
      let acc = 0;
      for (let j = 0; j < m; j++) acc += row[j] * v[j];
      w[i] = acc;
    }
    const t = v; v = w; w = t;
  }
  return coeffs;
}

/**
 * R(z) at complex z = re + i·im by Horner's rule, written into `out` as [re, im]; returns out. Allocates nothing when
 * `out` is given. `coeffs`: constant term first (from {@link stabilityPolynomial}).
 */
export function evalR(coeffs: StabilityPolynomial, re: number, im: number, out: Float64Array = new Float64Array(2)): Float64Array {
  checkPolynomial('evalR', coeffs);
  if (typeof re !== 'number' || typeof im !== 'number' || !Number.isFinite(re) || !Number.isFinite(im)) {
    throw new TideError('BAD_ARGUMENT', `evalR: re and im must be finite numbers (z = re + i·im), got ${fmtGot(re)} and ${fmtGot(im)}.`);
  }
  checkOut('evalR', out, 2);
  let pr = 0, pi = 0;
  for (let k = coeffs.length - 1; k >= 0; k--) {
    const t = pr * re - pi * im + coeffs[k];
    pi = pr * im + pi * re;
    pr = t;
  }
  out[0] = pr; out[1] = pi;
  return out;
}

/** H = Σ_{k≥1} c_k z^{k−1} (so that R(z) = c_0 + z·H): keeps R(z) − 1 and R(z) − λ accurate near z = 0. */
function hornerTail(coeffs: StabilityPolynomial, re: number, im: number): void {
  let pr = 0, pi = 0;
  for (let k = coeffs.length - 1; k >= 1; k--) {
    const t = pr * re - pi * im + coeffs[k];
    pi = pr * im + pi * re;
    pr = t;
  }
  H[0] = pr; H[1] = pi;
}

/** Q = [R(z) − λ, R(−z) − 1], each as (c_0 − shift) + z·tail(z) so no cancellation against the constant term. */
function couplingParts(coeffs: StabilityPolynomial, lambda: number, re: number, im: number): void {
  const c0 = coeffs[0];
  hornerTail(coeffs, re, im);
  // (c0 − 1) + (1 − λ): 1 − λ is exact for λ ∈ [½, 1] (Sterbenz), the range that matters.
  Q[0] = (c0 - 1) + (1 - lambda) + (re * H[0] - im * H[1]);
  Q[1] = re * H[1] + im * H[0];
  hornerTail(coeffs, -re, -im);
  Q[2] = (c0 - 1) - (re * H[0] - im * H[1]);
  Q[3] = -(re * H[1] + im * H[0]);
}

// ---------------------------------------------------------------------------------------------------------------
// The coupling matrix, its trace and determinant, eigenvalues of 2×2 complex matrices

/**
 * One step of the λ-coupled scheme on y' = αy, z = hα: the complex 2×2 matrix M with (y_{n+1}, z_{n+1}) = M (y_n, z_n)
 * (derived from the scheme; McCallum & Foster, arXiv 2410.11648), written row-major into `out` (Float64Array(8)).
 * `base`: a tableau or its stability polynomial R; `z`: real number or [re, im].
 * @throws TideError('BAD_OPTION') for λ outside (0, 1]; TideError('BAD_ARGUMENT') for a non-explicit tableau or bad z.
 */
export function couplingMatrix(base: BaseMethod, lambda: number, z: ComplexInput, out: Float64Array = new Float64Array(8)): Float64Array {
  checkLambdaArg('couplingMatrix', lambda);
  const coeffs = resolve('couplingMatrix', base);
  const zz = parseZ('couplingMatrix', z);
  checkOut('couplingMatrix', out, 8);
  couplingParts(coeffs, lambda, zz[0], zz[1]);
  const ar = Q[0], ai = Q[1], mr = Q[2], mi = Q[3]; // R(z) − λ, R(−z) − 1
  out[0] = lambda; out[1] = 0;
  out[2] = ar; out[3] = ai;
  out[4] = -lambda * mr; out[5] = -lambda * mi;
  out[6] = 1 - (mr * ar - mi * ai); out[7] = -(mr * ai + mi * ar);
  return out;
}

/**
 * Γ(z) = tr M = 1 + λ − (R(−z) − 1)(R(z) − λ), written into `out` as [re, im]. The eigenvalues of M solve
 * μ² − Γμ + λ = 0 (det M = λ, tr M = Γ).
 * @throws as {@link couplingMatrix}.
 */
export function gamma(base: BaseMethod, lambda: number, z: ComplexInput, out: Float64Array = new Float64Array(2)): Float64Array {
  checkLambdaArg('gamma', lambda);
  const coeffs = resolve('gamma', base);
  const zz = parseZ('gamma', z);
  checkOut('gamma', out, 2);
  couplingParts(coeffs, lambda, zz[0], zz[1]);
  out[0] = 1 + lambda - (Q[2] * Q[0] - Q[3] * Q[1]);
  out[1] = -(Q[2] * Q[1] + Q[3] * Q[0]);
  return out;
}

/** Trace of a 2×2 complex matrix (row-major Float64Array(8)) into `out` as [re, im]. */
export function trace2x2(m: Readonly<Float64Array>, out: Float64Array = new Float64Array(2)): Float64Array {
  out[0] = m[0] + m[6]; out[1] = m[1] + m[7];
  return out;
}

/** Determinant m11 m22 − m12 m21 of a 2×2 complex matrix (row-major Float64Array(8)) into `out` as [re, im]. */
export function det2x2(m: Readonly<Float64Array>, out: Float64Array = new Float64Array(2)): Float64Array {
  out[0] = (m[0] * m[6] - m[1] * m[7]) - (m[2] * m[4] - m[3] * m[5]);
  out[1] = (m[0] * m[7] + m[1] * m[6]) - (m[2] * m[5] + m[3] * m[4]);
  return out;
}

/** Principal square root of re + i·im into C, without cancellation (the larger of |Re|, |Im| comes from a sum). */
function csqrt(re: number, im: number): void {
  if (re === 0 && im === 0) { C[0] = 0; C[1] = 0; return; }
  const r = Math.hypot(re, im);
  if (re >= 0) {
    const t = Math.sqrt(0.5 * (r + re));
    C[0] = t; C[1] = im / (2 * t);
  } else {
    const t = Math.sqrt(0.5 * (r - re));
    C[0] = Math.abs(im) / (2 * t); C[1] = im < 0 ? -t : t;
  }
}

/**
 * The larger-modulus root q of μ² − Tμ + D = 0 into C: q = (T ± √(T² − 4D))/2 with the sign that adds (|T + s| ≥ |T − s|
 * iff Re(conj(T)·s) ≥ 0), so q never suffers cancellation; the other root is D/q (Vieta).
 */
function bigRoot(tr: number, ti: number, dr: number, di: number): void {
  csqrt(tr * tr - ti * ti - 4 * dr, 2 * tr * ti - 4 * di);
  const sign = tr * C[0] + ti * C[1] >= 0 ? 0.5 : -0.5;
  const qr = 0.5 * tr + sign * C[0], qi = 0.5 * ti + sign * C[1];
  C[0] = qr; C[1] = qi;
}

/** max |μ| over the roots of μ² − Tμ + D = 0; |D/q| = |D|/|q| needs no complex division. */
function radiusFromTraceDet(tr: number, ti: number, dr: number, di: number): number {
  bigRoot(tr, ti, dr, di);
  const aq = Math.hypot(C[0], C[1]);
  if (aq === 0) return 0; // T = 0 and T² = 4D: the double root 0
  const other = Math.hypot(dr, di) / aq;
  return aq >= other ? aq : other;
}

/**
 * Eigenvalues of a 2×2 complex matrix (row-major Float64Array(8)) into `out` = [μ1re, μ1im, μ2re, μ2im], |μ1| ≥ |μ2|
 * (up to rounding). Roots of μ² − tr μ + det = 0 by the cancellation-free quadratic formula (larger root from the
 * adding sign, the smaller as det/μ1). Near a double root eigenvalues are ill-conditioned: expect errors ≈ √ε.
 */
export function eigenvalues2x2(m: Readonly<Float64Array>, out: Float64Array = new Float64Array(4)): Float64Array {
  const tr = m[0] + m[6], ti = m[1] + m[7];
  const dr = (m[0] * m[6] - m[1] * m[7]) - (m[2] * m[4] - m[3] * m[5]);
  const di = (m[0] * m[7] + m[1] * m[6]) - (m[2] * m[5] + m[3] * m[4]);
  bigRoot(tr, ti, dr, di);
  const qr = C[0], qi = C[1];
  out[0] = qr; out[1] = qi;
  if (qr === 0 && qi === 0) { out[2] = 0; out[3] = 0; return out; }
  // μ2 = D / q by Smith's algorithm (no overflow of |q|²).
  if (Math.abs(qr) >= Math.abs(qi)) {
    const r = qi / qr, den = qr + qi * r;
    out[2] = (dr + di * r) / den; out[3] = (di - dr * r) / den;
  } else {
    const r = qr / qi, den = qr * r + qi;
    out[2] = (dr * r + di) / den; out[3] = (di * r - dr) / den;
  }
  return out;
}

/**
 * Spectral radius max |μ| of a 2×2 complex matrix (row-major Float64Array(8)); see {@link eigenvalues2x2}.
 * Returns NaN only if the entries are so large (≳ 1e154) that tr² overflows.
 */
export function spectralRadius(m: Readonly<Float64Array>): number {
  const dr = (m[0] * m[6] - m[1] * m[7]) - (m[2] * m[4] - m[3] * m[5]);
  const di = (m[0] * m[7] + m[1] * m[6]) - (m[2] * m[5] + m[3] * m[4]);
  return radiusFromTraceDet(m[0] + m[6], m[1] + m[7], dr, di);
}

// ---------------------------------------------------------------------------------------------------------------
// Stability tests

/** Both roots of μ² − Γμ + λ = 0 strictly inside the unit disc (Schur–Cohn ellipse; eigenvalues at λ = 1). */
function stableFromGamma(gr: number, gi: number, lambda: number): boolean {
  if (lambda === 1) {
    // Degenerate ellipse: eigenvalue test. det = 1 makes max(|q|, 1/|q|) ≥ 1 even in floating point, so this is
    // always false — the λ = 1 scheme is at best neutral, never asymptotically stable.
    return radiusFromTraceDet(gr, gi, 1, 0) < 1;
  }
  const x = gr / (1 + lambda), y = gi / (1 - lambda);
  return x * x + y * y < 1; // NaN/Infinity (overflow far from 0) compare false: unstable
}

function stableAt(coeffs: StabilityPolynomial, lambda: number, re: number, im: number): boolean {
  couplingParts(coeffs, lambda, re, im);
  return stableFromGamma(1 + lambda - (Q[2] * Q[0] - Q[3] * Q[1]), -(Q[2] * Q[1] + Q[3] * Q[0]), lambda);
}

/**
 * Whether the λ-coupled scheme with base `base` (tableau or stability polynomial) is asymptotically stable on
 * y' = αy at z = hα (a real number or [re, im]): both eigenvalues of M strictly inside the unit disc. Decided by the
 * ellipse criterion (Re Γ/(1+λ))² + (Im Γ/(1−λ))² < 1 (Schur–Cohn; on the real axis McCallum & Foster's |Γ| < 1 + λ); at λ = 1, where the ellipse
 * degenerates, by the eigenvalues (always false there, since det M = 1).
 * @throws TideError('BAD_OPTION') for λ outside (0, 1]; TideError('BAD_ARGUMENT') for a non-explicit tableau or bad z.
 */
export function isStable(base: BaseMethod, lambda: number, z: ComplexInput): boolean {
  checkLambdaArg('isStable', lambda);
  const coeffs = resolve('isStable', base);
  const zz = parseZ('isStable', z);
  return stableAt(coeffs, lambda, zz[0], zz[1]);
}

/** Spectral radius of M for the λ-coupled scheme at z = hα; < 1 iff {@link isStable} (away from the boundary). */
export function couplingSpectralRadius(base: BaseMethod, lambda: number, z: ComplexInput): number {
  checkLambdaArg('couplingSpectralRadius', lambda);
  const coeffs = resolve('couplingSpectralRadius', base);
  const zz = parseZ('couplingSpectralRadius', z);
  couplingParts(coeffs, lambda, zz[0], zz[1]);
  return radiusFromTraceDet(1 + lambda - (Q[2] * Q[0] - Q[3] * Q[1]), -(Q[2] * Q[1] + Q[3] * Q[0]), lambda, 0);
}

// ---------------------------------------------------------------------------------------------------------------
// Regions and real intervals

/**
 * Grid of z = hα values for {@link stabilityRegion}; defaults are the slides' figure window.
 * @property reMax upper end of the real range of z, default 0.5.
 * @property imMax upper end of the imaginary range of z, default 3.
 * @property nIm points on the imaginary axis, endpoints included; default 301.
 */
export interface StabilityGrid {
  /** Real range of z, default [−3.5, 0.5]. */
  readonly reMin?: number; readonly reMax?: number;
  /** Imaginary range of z, default [−3, 3]. */
  readonly imMin?: number; readonly imMax?: number;
  /** Points per axis, endpoints included (1: the min only). Defaults 201 × 301 (spacing 0.02). */
  readonly nRe?: number; readonly nIm?: number;
}

/**
 * Stability of the λ-coupled scheme on a grid of z = hα (with h = 1, of α), as plain data for plots.
 * @property lambda the coupling λ the region was computed for.
 * @property im imaginary axis values im[i], i < nIm.
 * @property nRe points on the real axis.
 * @property nIm points on the imaginary axis.
 */
export interface StabilityRegion {
  /** Base method: the tableau's name, or 'polynomial'. */
  readonly method: string;
  readonly lambda: number;
  /** Stability polynomial of the base, constant term first. */
  readonly coefficients: Float64Array;
  /** Axes: re[j], j < nRe, and im[i], i < nIm, endpoints included. */
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly nRe: number;
  readonly nIm: number;
  /** Row-major nIm × nRe: stable[i·nRe + j] = 1 iff the scheme is stable at z = re[j] + i·im[i] (row 0 is imMin). */
  readonly stable: Uint8Array;
  /** Spectral radius of M at the same points (same layout). */
  readonly spectralRadius: Float64Array;
}

/**
 * {@link StabilityRegion} with plain arrays (non-finite radii as null), for JSON.stringify.
 * @property method as {@link StabilityRegion.method}.
 * @property lambda the coupling λ.
 * @property coefficients stability polynomial of the base, constant term first.
 * @property re real axis values.
 * @property im imaginary axis values.
 * @property nRe points on the real axis.
 * @property nIm points on the imaginary axis.
 * @property spectralRadius spectral radius of M at each grid point (row-major nIm × nRe); null where it is not finite.
 */
export interface StabilityRegionJSON {
  method: string; lambda: number; coefficients: number[]; re: number[]; im: number[]; nRe: number; nIm: number;
  /** Row-major nIm × nRe, 0 or 1. */
  stable: number[];
  spectralRadius: (number | null)[];
}

const MAX_GRID_POINTS = 1 << 24;

function axis(where: string, what: string, min: number, max: number, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 1) {
    throw new TideError('BAD_OPTION', `${where}: n${what} must be a positive integer, got ${fmtGot(n)}.`, { option: `n${what}` });
  }
  if (n > MAX_GRID_POINTS) {
    throw new TideError('BAD_OPTION', `${where}: n${what} = ${n} is more than ${MAX_GRID_POINTS} points; use a coarser grid or split the window.`, { option: `n${what}` });
  }
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || min > max || (n > 1 && min === max)) {
    const lo = `${what.toLowerCase()}Min`, hi = `${what.toLowerCase()}Max`;
    throw new TideError('BAD_OPTION',
      `${where}: the ${what} range [${min}, ${max}] must be finite with ${lo} < ${hi} (equal only when n${what} = 1).`, { option: lo });
  }
  const x = new Float64Array(n);
  for (let j = 0; j < n; j++) x[j] = n === 1 ? min : min + ((max - min) * j) / (n - 1);
  return x;
}

/**
 * Stability of the λ-coupled scheme over a rectangular grid of z = hα: the data behind the slides' stability figure
 * (h = 1, λ = 0.8; Foster & McCallum; McCallum & Foster, arXiv 2410.11648). Regions follow the coupling matrix
 * above ({@link couplingMatrix}), checked against simulated steps; the slides' figure is exact for Euler only (see the file
 * header), so do not expect its Midpoint/RK3/RK4 shapes. Serialise with {@link stabilityRegionToJSON}.
 * @throws TideError('BAD_OPTION') for λ outside (0, 1], non-positive or non-integer sizes, empty or non-finite ranges,
 *   more than 2^24 points, or unknown option keys; TideError('BAD_ARGUMENT') for a non-explicit tableau.
 */
export function stabilityRegion(base: BaseMethod, lambda: number, grid: StabilityGrid = {}): StabilityRegion {
  const where = 'stabilityRegion';
  checkLambdaArg(where, lambda);
  checkOptions(where, grid, ['reMin', 'reMax', 'imMin', 'imMax', 'nRe', 'nIm'], '{ nRe: 101, nIm: 151 }');
  const coeffs = resolve(where, base);
  const { reMin = -3.5, reMax = 0.5, imMin = -3, imMax = 3, nRe = 201, nIm = 301 } = grid ?? {};
  const re = axis(where, 'Re', reMin, reMax, nRe), im = axis(where, 'Im', imMin, imMax, nIm);
  if (nRe * nIm > MAX_GRID_POINTS) {
    throw new TideError('BAD_OPTION',
      `${where}: ${nRe} × ${nIm} = ${nRe * nIm} points is more than ${MAX_GRID_POINTS}; use a coarser grid or split the window.`);
  }
  const stable = new Uint8Array(nRe * nIm), radius = new Float64Array(nRe * nIm);
  for (let i = 0; i < nIm; i++) {
    for (let j = 0; j < nRe; j++) {
      couplingParts(coeffs, lambda, re[j], im[i]);
      const gr = 1 + lambda - (Q[2] * Q[0] - Q[3] * Q[1]), gi = -(Q[2] * Q[1] + Q[3] * Q[0]);
      stable[i * nRe + j] = stableFromGamma(gr, gi, lambda) ? 1 : 0;
      radius[i * nRe + j] = radiusFromTraceDet(gr, gi, lambda, 0);
    }
  }
  return {
    method: isTableau(base) ? base.name : 'polynomial', lambda, coefficients: Float64Array.from(coeffs),
    re, im, nRe, nIm, stable, spectralRadius: radius,
  };
}

/** A JSON-serialisable copy of a {@link StabilityRegion} (typed arrays → arrays; non-finite radii → null). */
export function stabilityRegionToJSON(region: StabilityRegion): StabilityRegionJSON {
  if (region === null || typeof region !== 'object' || !(region.stable instanceof Uint8Array) || !(region.spectralRadius instanceof Float64Array)) {
    throw new TideError('BAD_ARGUMENT', `stabilityRegionToJSON: expected the result of stabilityRegion(...), got ${fmtGot(region)}.`);
  }
  return {
    method: region.method, lambda: region.lambda, coefficients: Array.from(region.coefficients),
    re: Array.from(region.re), im: Array.from(region.im), nRe: region.nRe, nIm: region.nIm,
    stable: Array.from(region.stable), spectralRadius: Array.from(region.spectralRadius, (r) => (Number.isFinite(r) ? r : null)),
  };
}

/**
 * Options of {@link realStabilityIntervals}.
 * @property max upper end of the real range searched; default 0.
 */
export interface RealIntervalOptions {
  /** Real range of z = hα searched; default [−4, 0]. */
  readonly min?: number; readonly max?: number;
  /** Sample points (endpoints included). Default: spacing min(1e-3, (1 − λ)/16), at most 1e7 points. */
  readonly n?: number;
  /** Bisection tolerance on each endpoint; default 1e-9. */
  readonly tol?: number;
}

/**
 * The open intervals of the real axis (z = hα ∈ [min, max]) on which the λ-coupled scheme is stable (there:
 * |Γ| < 1 + λ), ascending. Found by sampling n points and bisecting every change to `tol`; each endpoint is the midpoint
 * of its final bracket, within tol of the true boundary. An interval reaching min or max is clipped there. Intervals
 * narrower than the sample spacing can be missed (the near-origin one has width ≈ 1 − λ, which the default n resolves).
 * Reproduces the intervals computed independently from that matrix (not a published table), e.g. λ = 0.8, RK4: (−2.8308, −2.6382) ∪ (−0.2231, 0); Euler: exactly (λ − 1, 0).
 * @throws TideError('BAD_OPTION') for λ outside (0, 1], min ≥ max, n < 2, tol ≤ 0, unknown keys;
 *   TideError('BAD_ARGUMENT') for a non-explicit tableau.
 */
export function realStabilityIntervals(base: BaseMethod, lambda: number, options: RealIntervalOptions = {}): OpenInterval[] {
  const where = 'realStabilityIntervals';
  checkLambdaArg(where, lambda);
  checkOptions(where, options, ['min', 'max', 'n', 'tol'], '{ min: -4, max: 0 }');
  options ??= {};
  const coeffs = resolve(where, base);
  const { min = -4, max = 0, tol = 1e-9 } = options;
  if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || !(min < max)) {
    throw new TideError('BAD_OPTION', `${where}: the range [${fmtGot(min)}, ${fmtGot(max)}] must be finite with min < max.`, { option: 'min' });
  }
  if (typeof tol !== 'number' || !(tol > 0 && tol <= Number.MAX_VALUE)) throw new TideError('BAD_OPTION', `${where}: tol must be a finite number > 0, got ${fmtGot(tol)}.`, { option: 'tol' });
  const spacing = lambda < 1 ? Math.min(1e-3, (1 - lambda) / 16) : 1e-3;
  const n = options.n ?? Math.min(MAX_SAMPLES, Math.ceil((max - min) / spacing) + 1);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 2) {
    throw new TideError('BAD_OPTION', `${where}: n must be an integer ≥ 2 (sample points), got ${fmtGot(n)}.`, { option: 'n' });
  }
  if (n > MAX_SAMPLES) {
    // About 30 ns per sample: 1e7 samples take a third of a second, 1e9 would take half a minute.
    throw new TideError('BAD_OPTION', `${where}: n = ${n} sample points is more than the limit ${MAX_SAMPLES} (about 0.3 s of work; n = ${n} would take ~${Math.round(n * 3e-8)} s). Narrow [min, max] or use fewer points: tol, not n, sets the endpoints' accuracy.`, { option: 'n', limit: MAX_SAMPLES });
  }

  const stableReal = (x: number): boolean => stableAt(coeffs, lambda, x, 0);
  const edge = (a: number, b: number, aStable: boolean): number => {
    while (b - a > tol) {
      const m = 0.5 * (a + b);
      if (m === a || m === b) break;
      if (stableReal(m) === aStable) a = m; else b = m;
    }
    return 0.5 * (a + b);
  };
  const out: OpenInterval[] = [];
  let prevX = min, prev = stableReal(min), start = min;
  for (let j = 1; j < n; j++) {
    const x = j === n - 1 ? max : min + ((max - min) * j) / (n - 1);
    const st = stableReal(x);
    if (st !== prev) {
      const e = edge(prevX, x, prev);
      if (st) start = e; else out.push([start, e]);
    }
    prev = st; prevX = x;
  }
  if (prev) out.push([start, max]);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Older reversible schemes: ALF/MALI (Zhuang et al. 2021, ICLR) and reversible Heun (Kidger et al. 2021, NeurIPS)

/** 'alf' (asynchronous leapfrog, MALI's ALF with η = 1; alias 'mali') or 'reversible-heun'. */
export type OlderScheme = 'alf' | 'mali' | 'reversible-heun';

const OLDER: readonly string[] = ['alf', 'mali', 'reversible-heun'];

/** Most sample points {@link realStabilityIntervals} takes (≈ 0.3 s). */
const MAX_SAMPLES = 1e7;

/** Checks a caller-provided output buffer. */
function checkOut(where: string, out: unknown, n: number): void {
  if (!(out instanceof Float64Array) || out.length < n) {
    throw new TideError('BAD_ARGUMENT', `${where}: out must be a Float64Array of at least ${n} entries, got ${fmtGot(out)}; leave it out to get a new array.`);
  }
}

/**
 * One step of an older reversible scheme on y' = αy, z = hα, as a 2×2 complex matrix (row-major Float64Array(8)):
 * ALF/MALI (η = 1) on (X, hV): [[1+z, z/2], [2z, z−1]]; reversible Heun on (X, Y): [[1+z, z²/2], [2, z−1]]
 * (Foster & McCallum slides). Both have det = −1, so one |μ| ≥ 1 for every z: nowhere stable (the slides: "not
 * A-stable for any α"; the "2A − B" terms V_{n+1} = 2F − V_n and Y_{n+1} = 2X_n − Y_n + … are the cause).
 * @throws TideError('UNKNOWN_NAME') for another kind; TideError('BAD_ARGUMENT') for bad z.
 */
export function olderSchemeMatrix(kind: OlderScheme, z: ComplexInput, out: Float64Array = new Float64Array(8)): Float64Array {
  if (!OLDER.includes(kind)) throw unknownName('olderSchemeMatrix', 'scheme', String(kind), OLDER);
  const zz = parseZ('olderSchemeMatrix', z), zr = zz[0], zi = zz[1];
  checkOut('olderSchemeMatrix', out, 8);
  out[0] = 1 + zr; out[1] = zi;
  out[6] = zr - 1; out[7] = zi;
  if (kind === 'reversible-heun') {
    out[2] = 0.5 * (zr * zr - zi * zi); out[3] = zr * zi; // z²/2
    out[4] = 2; out[5] = 0;
  } else {
    out[2] = 0.5 * zr; out[3] = 0.5 * zi;
    out[4] = 2 * zr; out[5] = 2 * zi;
  }
  return out;
}

/** Spectral radius of {@link olderSchemeMatrix}: ≥ 1 everywhere (e.g. (1 + √5)/2 ≈ 1.618 at z = −0.5 for both). */
export function olderSchemeSpectralRadius(kind: OlderScheme, z: ComplexInput): number {
  return spectralRadius(olderSchemeMatrix(kind, z));
}
