/**
 * Forward stability check of fixed-step solves (explicit RK and the reversible solvers): estimates the dominant
 * eigenvalues of ∂f/∂y at a point of the solution, and compares z = hα with the scheme's linear stability: the growth
 * factor per step is |R(z)| for an RK method (R its stability polynomial), the spectral radius of the λ-coupled step
 * matrix for the reversible wrapper (McCallum & Foster 2024; det M = λ, tr M = Γ), and that of the reversible Heun /
 * MALI step matrices (det −1: nowhere strictly stable). A mode whose numerical growth over the solve exceeds its true
 * growth e^{Re(z)·N} by more than 10³ is an instability of the discretisation, not of the problem: a TideError with the
 * eigenvalue, the growth and the largest step that would be stable there. The loop samples the rate at a few points
 * along the solve and accumulates it (integrate/solve.ts); this is a linear analysis of the local Jacobian, so it is a
 * guard against the common failure (a step or λ far outside the region), not a proof of stability.
 *
 * Eigenvalues: two-vector subspace iteration on J = ∂f/∂y with finite-difference products Jv ≈ (f(y + εv) − f(y))/ε
 * (no VJP needed), 8 sweeps, then the eigenvalues of the 2 × 2 projection QᵀJQ: the dominant real eigenvalue or
 * complex pair (Saad, *Numerical Methods for Large Eigenvalue Problems*, §5.1). About 19 evaluations per check.
 */
import { TideError } from '../core/errors.ts';
import type { VectorField } from '../core/field.ts';
import type { Solver } from '../solvers/solver.ts';
import type { Tableau } from '../solvers/tableau.ts';
import { couplingSpectralRadius, evalR, olderSchemeSpectralRadius, stabilityPolynomial } from '../solvers/reversible/stability.ts';

/** Growth per step of the scheme at z = re + i·im, or null when tide has no linear analysis for it. */
type Growth = (re: number, im: number) => number;

const polys = new WeakMap<Tableau, Float64Array>();
const polyOf = (t: Tableau): Float64Array => { let p = polys.get(t); if (!p) { p = stabilityPolynomial(t); polys.set(t, p); } return p; };

/** The growth function of a solver, or null (multistep and unknown solvers are not checked). */
export function growthOf(solver: Solver): Growth | null {
  const s = solver;
  if (s.coupling !== undefined) {
    const poly = polyOf(s.coupling.base), lam = s.coupling.lambda, z = new Float64Array(2);
    return (re, im) => { z[0] = re; z[1] = im; return couplingSpectralRadius(poly, lam, z); };
  }
  if (s.name === 'reversible-heun' || s.name === 'mali') {
    const kind = s.name, z = new Float64Array(2);
    return (re, im) => { z[0] = re; z[1] = im; return olderSchemeSpectralRadius(kind, z); };
  }
  if (s.tableau !== null && !s.reversible) {
    const poly = polyOf(s.tableau), out = new Float64Array(2);
    return (re, im) => { evalR(poly, re, im, out); return Math.hypot(out[0], out[1]); };
  }
  return null;
}

/** Estimates of the two dominant eigenvalues of ∂f/∂y at (t, y): [re1, im1, re2, im2]. */
export function dominantEigenvalues(field: VectorField, t: number, y: Readonly<Float64Array>, params: Readonly<Float64Array>): Float64Array {
  const n = field.dim;
  const f0 = new Float64Array(n), yp = new Float64Array(n), fp = new Float64Array(n);
  const q1 = new Float64Array(n), q2 = new Float64Array(n), z1 = new Float64Array(n), z2 = new Float64Array(n);
  field.eval(f0, t, y as Float64Array, params as Float64Array);
  let ynorm = 0;
  for (let m = 0; m < n; m++) ynorm = Math.max(ynorm, Math.abs(y[m]));
  const eps = 1e-7 * Math.max(1, ynorm);
  const jv = (out: Float64Array, v: Float64Array): void => {
    for (let m = 0; m < n; m++) yp[m] = y[m] + eps * v[m];
    field.eval(fp, t, yp, params as Float64Array);
    for (let m = 0; m < n; m++) out[m] = (fp[m] - f0[m]) / eps;
  };
  // A deterministic start with every component present.
  for (let m = 0; m < n; m++) { q1[m] = 1 + 0.37 * Math.sin(m + 1); q2[m] = Math.cos(1.7 * m + 0.3); }
  const orth = (): boolean => {
    let a = 0;
    for (let m = 0; m < n; m++) a += q1[m] * q1[m];
    a = Math.sqrt(a);
    if (!(a > 0)) return false;
    for (let m = 0; m < n; m++) q1[m] /= a;
    let d = 0;
    for (let m = 0; m < n; m++) d += q1[m] * q2[m];
    let b = 0;
    for (let m = 0; m < n; m++) { q2[m] -= d * q1[m]; b += q2[m] * q2[m]; }
    b = Math.sqrt(b);
    if (b > 0) for (let m = 0; m < n; m++) q2[m] /= b;
    return true;
  };
  if (!orth()) return new Float64Array(4);
  for (let it = 0; it < 8; it++) {
    jv(z1, q1); if (n > 1) jv(z2, q2);
    q1.set(z1); if (n > 1) q2.set(z2);
    if (!orth()) return new Float64Array(4);
  }
  jv(z1, q1);
  if (n === 1) return Float64Array.of(z1[0] / q1[0], 0, 0, 0);
  jv(z2, q2);
  let b11 = 0, b12 = 0, b21 = 0, b22 = 0;
  for (let m = 0; m < n; m++) { b11 += q1[m] * z1[m]; b12 += q1[m] * z2[m]; b21 += q2[m] * z1[m]; b22 += q2[m] * z2[m]; }
  const tr = b11 + b22, det = b11 * b22 - b12 * b21, disc = tr * tr / 4 - det;
  if (disc >= 0) { const r = Math.sqrt(disc); return Float64Array.of(tr / 2 + r, 0, tr / 2 - r, 0); }
  const im = Math.sqrt(-disc);
  return Float64Array.of(tr / 2, im, tr / 2, -im);
}

/** The worst mode at a point: its excess growth per step, log(growth) − max(0, Re z), and what it came from. */
export interface StabilityRate {
  readonly rate: number;
  readonly re: number; readonly im: number; readonly growth: number;
}

/** The excess growth rate per step of the fixed step h at (t, y) (−Infinity when tide has no analysis for the solver). */
export function stabilityRate(solver: Solver, field: VectorField, t: number, y: Readonly<Float64Array>, params: Readonly<Float64Array>, h: number): StabilityRate {
  const growth = growthOf(solver);
  let best: StabilityRate = { rate: -Infinity, re: NaN, im: NaN, growth: NaN };
  if (growth === null) return best;
  const ev = dominantEigenvalues(field, t, y, params);
  for (let k = 0; k < 2; k++) {
    const ar = ev[2 * k], ai = ev[2 * k + 1];
    if (!Number.isFinite(ar) || !Number.isFinite(ai)) continue;
    const g = growth(h * ar, h * ai);
    const rate = Math.log(g) - Math.max(0, h * ar);
    if (rate > best.rate) best = { rate, re: ar, im: ai, growth: g };
  }
  return best;
}

/** The largest step s ≤ |h| along the ray of the eigenvalue (re, im) whose growth does not exceed the true one. */
function largestStableStep(solver: Solver, re: number, im: number, h: number): number {
  const growth = growthOf(solver) as Growth, sg = Math.sign(h);
  const ok = (s: number): boolean => Math.log(growth(s * re * sg, s * im * sg)) <= Math.max(0, s * re * sg) + 1e-12;
  let lo = Math.abs(h) * 1e-6, hi = Math.abs(h);
  if (!ok(lo)) return NaN;
  for (let i = 0; i < 60; i++) { const mid = Math.sqrt(lo * hi); if (ok(mid)) lo = mid; else hi = mid; }
  return lo;
}

/** The error for a fixed step whose spurious growth over the solve exceeds 10³. */
export function instabilityError(where: string, solver: Solver, t: number, h: number, r: StabilityRate, excess: number, steps: number): TideError {
  const lo = largestStableStep(solver, r.re, r.im, h);
  const lam = solver.coupling?.lambda;
  const fix = Number.isNaN(lo)
    ? `${solver.name} has no stable step for this mode (the reversible Heun and MALI schemes are nowhere strictly stable); use the λ-coupled reversible wrapper (method 'reversible-<rk method>') or an adaptive RK method`
    : `the largest stable step there is ≈ ${lo.toPrecision(3)}${lam !== undefined && lam > 0.9 ? `, or lower λ (now ${lam}; e.g. 0.9: the forward region grows as λ falls, and re-anchoring keeps the gradients exact)` : ''}; or step adaptively`;
  const zr = h * r.re, zi = h * r.im;
  const cplx = (a: number, b: number, digits: number): string => `${a.toPrecision(digits)}${b !== 0 ? ` ${b >= 0 ? '+' : '−'} ${Math.abs(b).toPrecision(digits)}i` : ''}`;
  return new TideError('UNSTABLE', `${where}: the fixed step h = ${Math.abs(h)} is outside the linear stability region of ${solver.name} near t = ${t}: ∂f/∂y has an eigenvalue ≈ ${cplx(r.re, r.im, 4)}, so hα = ${cplx(zr, zi, 3)} grows by ${r.growth.toPrecision(4)} per step, ≈ 10^${(excess / Math.LN10).toFixed(0)} beyond the true solution over ${steps} steps. Fix: ${fix}; or stabilityCheck: false to solve anyway.`,
    { eigenvalue: [r.re, r.im], growthPerStep: r.growth, largestStableStep: lo, steps });
}

/** How much spurious growth a fixed-step solve may show before it is an error (a factor of 10³). */
export const STABILITY_LIMIT = Math.log(1e3);
