/**
 * Linear stability of the λ-coupled reversible scheme (McCallum & Foster 2024, arXiv 2410.11648; the stability slides
 * of Foster & McCallum): stability polynomials, the coupling matrix (det = λ, tr = Γ, and against one simulated step of
 * the scheme), the ellipse criterion vs eigenvalues, independently computed real stable intervals, the older schemes
 * (ALF/MALI and reversible Heun, "not A-stable for any α"), and errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Tableau } from '../../../src/solvers/tableau.ts';
import { TideError } from '../../../src/core/errors.ts';
import { euler } from '../../../src/solvers/tableaus/euler.ts';
import { midpoint } from '../../../src/solvers/tableaus/midpoint.ts';
import { heun } from '../../../src/solvers/tableaus/heun.ts';
import { ralston } from '../../../src/solvers/tableaus/ralston.ts';
import { rk4 } from '../../../src/solvers/tableaus/rk4.ts';
import { bs3 } from '../../../src/solvers/tableaus/bs3.ts';
import { dopri5 } from '../../../src/solvers/tableaus/dopri5.ts';
import { tsit5 } from '../../../src/solvers/tableaus/tsit5.ts';
import {
  stabilityPolynomial, evalR, couplingMatrix, gamma, trace2x2, det2x2, eigenvalues2x2, spectralRadius, isStable,
  couplingSpectralRadius, stabilityRegion, stabilityRegionToJSON, realStabilityIntervals, olderSchemeMatrix,
  olderSchemeSpectralRadius, type OlderScheme,
} from '../../../src/solvers/reversible/stability.ts';
import { ralston3, slidesStabilityFigure, stabilityFigureToJSON } from '../../../src/solvers/reversible/stability-data.ts';

const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
const cabs = (re: number, im: number): number => Math.hypot(re, im);

// ---------------------------------------------------------------------------------------------------------------
// Stability polynomials

test('stability polynomials: euler, midpoint, rk4, ralston3 have the Taylor coefficients of e^z', () => {
  const cases: [Tableau, number[]][] = [
    [euler, [1, 1]],
    [midpoint, [1, 1, 1 / 2]],
    [rk4, [1, 1, 1 / 2, 1 / 6, 1 / 24]],
    [ralston3, [1, 1, 1 / 2, 1 / 6]],
  ];
  for (const [T, want] of cases) {
    const got = stabilityPolynomial(T);
    assert.equal(got.length, T.stages + 1, T.name);
    for (let k = 0; k < want.length; k++) assert.ok(Math.abs(got[k] - want[k]) <= 1e-15, `${T.name} coefficient ${k}: ${got[k]} vs ${want[k]}`);
  }
  // Any explicit method of order p with s = p stages: R is the degree-p Taylor polynomial.
  for (const T of [heun, ralston, bs3, tsit5]) {
    const got = stabilityPolynomial(T);
    for (let k = 0; k <= T.order; k++) assert.ok(Math.abs(got[k] - 1 / factorial(k)) <= 1e-14, `${T.name} coefficient ${k}`);
  }
});

test('stability polynomial of dopri5: 1/k! up to z⁵, then bᵀA⁵𝟙 = 1/600 and a zero z⁷ term (b₇ = 0)', () => {
  const got = stabilityPolynomial(dopri5);
  assert.equal(got.length, 8);
  for (let k = 0; k <= 5; k++) assert.ok(Math.abs(got[k] - 1 / factorial(k)) <= 1e-15, `coefficient ${k}: ${got[k]}`);
  // Independent bᵀA⁵𝟙 with a dense 7×7 A.
  const s = 7, A = Array.from({ length: s }, (_, i) => Array.from({ length: s }, (_, j) => (j < i ? dopri5.a[i][j] : 0)));
  let v = new Array<number>(s).fill(1);
  for (let p = 0; p < 5; p++) v = A.map((row) => row.reduce((acc, aij, j) => acc + aij * v[j], 0));
  const c6 = Array.from(dopri5.b).reduce((acc, bi, i) => acc + bi * v[i], 0);
  assert.ok(Math.abs(got[6] - c6) <= 1e-16, `${got[6]} vs ${c6}`);
  assert.ok(Math.abs(got[6] - 1 / 600) <= 1e-16, `${got[6]} vs 1/600 (Hairer–Wanner)`);
  assert.equal(got[7], 0);
});

test('evalR is Horner for complex z, writes into out and returns it', () => {
  const coeffs = stabilityPolynomial(rk4);
  const out = new Float64Array(2);
  for (const [re, im] of [[0, 0], [-1.3, 0.4], [0.5, -2], [-2.78, 0]]) {
    assert.equal(evalR(coeffs, re, im, out), out);
    let pr = 0, pi = 0, zr = 1, zi = 0; // Σ c_k z^k by powers
    for (let k = 0; k < coeffs.length; k++) {
      pr += coeffs[k] * zr; pi += coeffs[k] * zi;
      const t = zr * re - zi * im; zi = zr * im + zi * re; zr = t;
    }
    assert.ok(Math.abs(out[0] - pr) <= 1e-14 && Math.abs(out[1] - pi) <= 1e-14, `z = ${re} + ${im}i`);
  }
  assert.deepEqual(Array.from(evalR([1, 1], -0.5, 0.25)), [0.5, 0.25]);
});

// ---------------------------------------------------------------------------------------------------------------
// Coupling matrix

const bases: Tableau[] = [euler, midpoint, ralston3, rk4, dopri5];

test('det M = λ and tr M = Γ for random complex z and λ ∈ (0, 1] (property)', () => {
  const m = new Float64Array(8), d = new Float64Array(2), t = new Float64Array(2), g = new Float64Array(2);
  const polys = bases.map(stabilityPolynomial);
  fc.assert(fc.property(
    fc.integer({ min: 0, max: bases.length - 1 }),
    fc.double({ min: -4, max: 4, noNaN: true }), fc.double({ min: -4, max: 4, noNaN: true }),
    fc.double({ min: 1e-3, max: 1, noNaN: true }),
    (bi, re, im, lambda) => {
      couplingMatrix(polys[bi], lambda, [re, im], m);
      det2x2(m, d); trace2x2(m, t); gamma(polys[bi], lambda, [re, im], g);
      // Scale of the terms cancelling in det: |m11 m22| + |m12 m21|.
      const scale = Math.max(1, cabs(m[0], m[1]) * cabs(m[6], m[7]) + cabs(m[2], m[3]) * cabs(m[4], m[5]));
      return Math.abs(d[0] - lambda) <= 1e-12 * scale && Math.abs(d[1]) <= 1e-12 * scale
        && Math.abs(t[0] - g[0]) <= 1e-12 * Math.max(1, cabs(g[0], g[1])) && Math.abs(t[1] - g[1]) <= 1e-12 * Math.max(1, cabs(g[0], g[1]));
    }), { seed: 20241011, numRuns: 500 });
});

/** One base step Φ_h x of an explicit RK method on y' = αy, run stage by stage in complex arithmetic. */
function rkStep(T: Tableau, ar: number, ai: number, h: number, xr: number, xi: number): [number, number] {
  const s = T.stages, kr = new Array<number>(s), ki = new Array<number>(s);
  for (let i = 0; i < s; i++) {
    let yr = xr, yi = xi;
    for (let j = 0; j < i; j++) { yr += h * T.a[i][j] * kr[j]; yi += h * T.a[i][j] * ki[j]; }
    kr[i] = ar * yr - ai * yi; ki[i] = ar * yi + ai * yr; // k_i = α Y_i
  }
  let or = xr, oi = xi;
  for (let i = 0; i < s; i++) { or += h * T.b[i] * kr[i]; oi += h * T.b[i] * ki[i]; }
  return [or, oi];
}

/** One step of the scheme in the full-step form of the authors' code: y' = λ(y − z) + Φ_h(z), z' = z + y' − Φ_{−h}(y'). */
function reversibleStep(T: Tableau, lambda: number, ar: number, ai: number, h: number, y: [number, number], z: [number, number]): number[] {
  const pz = rkStep(T, ar, ai, h, z[0], z[1]);
  const y1 = [lambda * (y[0] - z[0]) + pz[0], lambda * (y[1] - z[1]) + pz[1]];
  const py = rkStep(T, ar, ai, -h, y1[0], y1[1]);
  return [y1[0], y1[1], z[0] + y1[0] - py[0], z[1] + y1[1] - py[1]];
}

test('M matches one simulated step of the scheme on y\' = αy (euler, midpoint, rk4; complex α, h = 0.5)', () => {
  const m = new Float64Array(8);
  const zs: [number, number][] = [[-0.5, 0], [0, 0.3], [-1, 1], [-2.5, 0], [0.7, -0.4], [-2.9, 0.2], [-0.01, -0.02], [1.5, 1.5]];
  const vecs: [number, number][][] = [[[1, 0], [0, 0]], [[0, 0], [1, 0]], [[0.3, -1.2], [-0.7, 0.45]]];
  let worst = 0;
  for (const T of [euler, midpoint, rk4]) {
    for (const lambda of [0.999, 0.8, 0.3, 1]) {
      for (const [zr, zi] of zs) {
        const h = 0.5, ar = zr / h, ai = zi / h; // exact: z = hα
        couplingMatrix(T, lambda, [zr, zi], m);
        for (const [y, z] of vecs) {
          const sim = reversibleStep(T, lambda, ar, ai, h, y, z);
          // M (y, z), complex.
          const my = [m[0] * y[0] - m[1] * y[1] + m[2] * z[0] - m[3] * z[1], m[0] * y[1] + m[1] * y[0] + m[2] * z[1] + m[3] * z[0]];
          const mz = [m[4] * y[0] - m[5] * y[1] + m[6] * z[0] - m[7] * z[1], m[4] * y[1] + m[5] * y[0] + m[6] * z[1] + m[7] * z[0]];
          const want = [my[0], my[1], mz[0], mz[1]];
          for (let e = 0; e < 4; e++) {
            const err = Math.abs(sim[e] - want[e]);
            worst = Math.max(worst, err);
            assert.ok(err <= 1e-14 * Math.max(1, Math.abs(want[e])), `${T.name} λ = ${lambda} z = ${zr} + ${zi}i entry ${e}: ${sim[e]} vs ${want[e]}`);
          }
        }
      }
    }
  }
  assert.ok(worst <= 1e-13, `worst ${worst}`);
});

// ---------------------------------------------------------------------------------------------------------------
// Eigenvalues and the ellipse criterion

test('eigenvalues2x2 / spectralRadius: triangular matrices, and no cancellation for widely separated roots', () => {
  const tri = Float64Array.of(0.3, -0.4, 5, 1, 0, 0, -2, 0.5); // eigenvalues 0.3 − 0.4i and −2 + 0.5i
  const ev = eigenvalues2x2(tri);
  assert.ok(Math.abs(ev[0] + 2) < 1e-15 && Math.abs(ev[1] - 0.5) < 1e-15 && Math.abs(ev[2] - 0.3) < 1e-15 && Math.abs(ev[3] + 0.4) < 1e-15);
  assert.equal(spectralRadius(tri), Math.hypot(2, 0.5));
  // Companion of μ² − Tμ + 1 with roots w·1e8 and w̄… rotated: roots r1 = e^{iθ}·1e8, r2 = e^{−iθ}·1e−8·… use r2 = 1/r1.
  const th = 0.7, r1 = [1e8 * Math.cos(th), 1e8 * Math.sin(th)], r2 = [1e-8 * Math.cos(th), -1e-8 * Math.sin(th)];
  const T = [r1[0] + r2[0], r1[1] + r2[1]], D = [r1[0] * r2[0] - r1[1] * r2[1], r1[0] * r2[1] + r1[1] * r2[0]];
  const comp = Float64Array.of(T[0], T[1], -D[0], -D[1], 1, 0, 0, 0); // [[T, −D], [1, 0]]
  eigenvalues2x2(comp, ev);
  assert.ok(cabs(ev[0] - r1[0], ev[1] - r1[1]) <= 1e-15 * 1e8);
  assert.ok(cabs(ev[2] - r2[0], ev[3] - r2[1]) <= 1e-15 * 1e-8, `small root ${ev[2]} + ${ev[3]}i`);
  assert.deepEqual(Array.from(eigenvalues2x2(new Float64Array(8))), [0, 0, 0, 0]);
});

test('ellipse criterion ⇔ spectral radius < 1 on a grid (points within 1e-9 of |μ| = 1 skipped)', () => {
  const m = new Float64Array(8);
  let compared = 0, stableCount = 0;
  for (const T of bases) {
    for (const lambda of [0.3, 0.8, 0.99]) {
      const region = stabilityRegion(T, lambda, { reMin: -4, reMax: 1, imMin: -3.5, imMax: 3.5, nRe: 61, nIm: 57 });
      for (let i = 0; i < region.nIm; i++) {
        for (let j = 0; j < region.nRe; j++) {
          const z = [region.re[j], region.im[i]];
          const rho = spectralRadius(couplingMatrix(T, lambda, z, m)); // from the matrix, not from Γ
          assert.ok(Math.abs(region.spectralRadius[i * region.nRe + j] - rho) <= 1e-12 * Math.max(1, rho));
          if (Math.abs(rho - 1) < 1e-9) continue;
          compared++;
          const st = isStable(T, lambda, z);
          assert.equal(st, rho < 1, `${T.name} λ = ${lambda} z = ${z}: ρ = ${rho}`);
          assert.equal(region.stable[i * region.nRe + j], st ? 1 : 0);
          if (st) stableCount++;
        }
      }
    }
  }
  assert.ok(compared > 50000 && stableCount > 1000, `${compared} points, ${stableCount} stable`);
  // λ = 1: det M = 1, so never asymptotically stable (eigenvalue fallback).
  const r1 = stabilityRegion(midpoint, 1, { reMin: -3, reMax: 0.5, imMin: -3, imMax: 3, nRe: 71, nIm: 61 });
  assert.equal(r1.stable.reduce((a, b) => a + b, 0), 0);
  assert.ok(r1.spectralRadius.every((r) => r >= 1));
  assert.equal(isStable(euler, 1, -0.5), false);
});

test('the real axis: |Γ| < 1 + λ (McCallum & Foster\'s condition), and the imaginary axis is partly stable at λ = 0.8', () => {
  const g = new Float64Array(2);
  for (const T of bases) {
    for (let x = -4; x <= 0.5; x += 0.0137) {
      gamma(T, 0.8, x, g);
      if (Math.abs(Math.abs(g[0]) - 1.8) < 1e-9) continue;
      assert.equal(isStable(T, 0.8, x), Math.abs(g[0]) < 1.8, `${T.name} z = ${x}`);
      assert.ok(g[1] === 0, `Im Γ = ${g[1]}`);
    }
  }
  assert.equal(isStable(euler, 0.8, [0, 0.3]), true);
  assert.equal(isStable(midpoint, 0.8, [0, 0.3]), true);
  assert.equal(isStable(rk4, 0.8, [0, 2]), true);
  assert.equal(isStable(euler, 0.8, [0, 1]), false);
  // z = 0 is always on the boundary: eigenvalues 1 (physical) and λ (parasitic).
  assert.ok(Math.abs(couplingSpectralRadius(rk4, 0.8, 0) - 1) < 1e-15);
  assert.equal(isStable(rk4, 0.8, 0), false);
});

// ---------------------------------------------------------------------------------------------------------------
// Real intervals (independently computed from the coupling matrix; λ = 0.8 is the slides' figure setting)

test('real stable intervals reproduce the independently computed table (±1e-3; Euler exactly (λ − 1, 0))', () => {
  const table: [number, [number, number][], [number, number][], [number, number][], [number, number][]][] = [
    [0.8, [[-0.2, 0]], [[-2.401, -1.7746], [-0.2254, 0]], [[-0.223, 0]], [[-2.8308, -2.6382], [-0.2231, 0]]],
    [0.99, [[-0.01, 0]], [[-2.5372, -1.99], [-0.0101, 0]], [[-0.0101, 0]], [[-2.9414, -2.7786], [-0.0101, 0]]],
    [0.999, [[-0.001, 0]], [[-2.5434, -1.999], [-0.001, 0]], [[-0.001, 0]], [[-2.9463, -2.7846], [-0.001, 0]]],
  ];
  for (const [lambda, ...cols] of table) {
    [euler, midpoint, ralston3, rk4].forEach((T, c) => {
      const got = realStabilityIntervals(T, lambda);
      const want = cols[c];
      assert.equal(got.length, want.length, `${T.name} λ = ${lambda}: ${JSON.stringify(got)}`);
      for (let k = 0; k < want.length; k++) {
        for (let e = 0; e < 2; e++) {
          assert.ok(Math.abs(got[k][e] - want[k][e]) <= 1e-3, `${T.name} λ = ${lambda}: ${got[k][e]} vs ${want[k][e]}`);
        }
      }
    });
    const [e] = realStabilityIntervals(euler, lambda);
    assert.ok(Math.abs(e[0] - (lambda - 1)) <= 1e-9 && Math.abs(e[1]) <= 1e-9, `euler ${e}`);
    // Any 3-stage order-3 method: same R, same intervals.
    assert.deepEqual(realStabilityIntervals([1, 1, 1 / 2, 1 / 6], lambda), realStabilityIntervals(ralston3, lambda));
  }
  // Clipping at the range ends, and stability inside every reported interval.
  const [clipped] = realStabilityIntervals(rk4, 0.8, { min: -2.7, max: -1 });
  assert.equal(clipped[0], -2.7);
  assert.ok(Math.abs(clipped[1] - -2.6382) < 1e-3);
  for (const [lo, hi] of realStabilityIntervals(midpoint, 0.99)) {
    for (let q = 1; q < 10; q++) assert.ok(isStable(midpoint, 0.99, lo + ((hi - lo) * q) / 10));
  }
});

// ---------------------------------------------------------------------------------------------------------------
// Older schemes

/** One step of ALF (η = 1) on (X, hV) and of reversible Heun on (X, Y) for y' = αy, h = 1, real z. */
function olderStep(kind: OlderScheme, z: number, u: number, v: number): [number, number] {
  if (kind === 'reversible-heun') {
    const y1 = 2 * u - v + z * v; // Y' = 2X − Y + f(Y)h
    return [u + 0.5 * (z * v + z * y1), y1]; // X' = X + ½(f(Y) + f(Y'))h
  }
  const xh = u + 0.5 * v; // X½ = X + (h/2)V, with v = hV
  const w1 = 2 * z * xh - v; // hV' = 2hF − hV
  return [xh + 0.5 * w1, w1];
}

test('ALF and reversible Heun: det = −1 everywhere, spectral radius 1.618 at z = −0.5, matrices match a step', () => {
  const m = new Float64Array(8), d = new Float64Array(2);
  const golden = (1 + Math.sqrt(5)) / 2;
  for (const kind of ['alf', 'reversible-heun'] as const) {
    assert.ok(Math.abs(olderSchemeSpectralRadius(kind, -0.5) - golden) < 1e-15, kind);
    assert.equal(+olderSchemeSpectralRadius(kind, -0.5).toFixed(3), 1.618);
    for (let re = -4; re <= 1; re += 0.25) {
      for (let im = -3; im <= 3; im += 0.25) {
        det2x2(olderSchemeMatrix(kind, [re, im], m), d);
        assert.ok(Math.abs(d[0] + 1) <= 1e-13 && Math.abs(d[1]) <= 1e-13, `${kind} det at ${re} + ${im}i: ${d[0]} + ${d[1]}i`);
        assert.ok(olderSchemeSpectralRadius(kind, [re, im]) >= 1 - 1e-15);
      }
    }
    for (const z of [-0.5, -1.7, 0.3]) {
      olderSchemeMatrix(kind, z, m);
      for (const [u, v] of [[1, 0], [0, 1]]) {
        const [a, b] = olderStep(kind, z, u, v);
        assert.ok(Math.abs(a - (m[0] * u + m[2] * v)) < 1e-15 && Math.abs(b - (m[4] * u + m[6] * v)) < 1e-15, `${kind} z = ${z}`);
      }
    }
  }
  assert.deepEqual(Array.from(olderSchemeMatrix('mali', -0.5)), Array.from(olderSchemeMatrix('alf', -0.5)));
});

// ---------------------------------------------------------------------------------------------------------------
// Region data and the slides' figure data set

test('stabilityRegion layout and JSON round trip', () => {
  const r = stabilityRegion(rk4, 0.8, { reMin: -3, reMax: 0, imMin: -1, imMax: 1, nRe: 7, nIm: 5 });
  assert.deepEqual(Array.from(r.re), [-3, -2.5, -2, -1.5, -1, -0.5, 0]);
  assert.deepEqual(Array.from(r.im), [-1, -0.5, 0, 0.5, 1]);
  assert.equal(r.stable.length, 35);
  for (let i = 0; i < 5; i++) for (let j = 0; j < 7; j++) assert.equal(r.stable[i * 7 + j], isStable(rk4, 0.8, [r.re[j], r.im[i]]) ? 1 : 0);
  const json = JSON.parse(JSON.stringify(stabilityRegionToJSON(r)));
  assert.equal(json.method, 'rk4');
  assert.deepEqual(json.stable, Array.from(r.stable));
  assert.deepEqual(json.spectralRadius, Array.from(r.spectralRadius));
  assert.deepEqual(json.coefficients, Array.from(stabilityPolynomial(rk4)));
  // Defaults: the slides' window.
  const d = stabilityRegion(euler, 0.8);
  assert.equal(d.nRe * d.nIm, d.stable.length);
  assert.equal(d.re[0], -3.5); assert.equal(d.re[d.nRe - 1], 0.5); assert.equal(d.im[0], -3); assert.equal(d.im[d.nIm - 1], 3);
  assert.equal(stabilityRegion([1, 1], 0.5, { nRe: 1, nIm: 1, reMin: -0.2, reMax: -0.2, imMin: 0, imMax: 0 }).stable[0], 1);
});

test('slides figure data: λ = 0.8, four panels, real intervals consistent with the regions', () => {
  const fig = slidesStabilityFigure({ nRe: 41, nIm: 61 });
  assert.equal(fig.lambda, 0.8); assert.equal(fig.h, 1);
  assert.deepEqual(fig.panels.map((p) => p.label), ['Euler', 'Midpoint', 'RK3', 'RK4']);
  const mid = fig.panels[1].realIntervals;
  assert.equal(mid.length, 2);
  assert.ok(Math.abs(mid[0][0] + 2.401) < 1e-3 && Math.abs(mid[1][0] + 0.2254) < 1e-3);
  for (const p of fig.panels) {
    const r = p.region, row = r.im.indexOf(0); // Im = 0 row
    assert.ok(row >= 0);
    for (let j = 0; j < r.nRe; j++) {
      const x = r.re[j], inside = p.realIntervals.some(([lo, hi]) => x > lo + 1e-9 && x < hi - 1e-9);
      const near = p.realIntervals.some(([lo, hi]) => Math.abs(x - lo) <= 1e-9 || Math.abs(x - hi) <= 1e-9);
      if (!near) assert.equal(r.stable[row * r.nRe + j], inside ? 1 : 0, `${p.label} x = ${x}`);
    }
  }
  const json = JSON.parse(JSON.stringify(stabilityFigureToJSON(fig)));
  assert.equal(json.panels[3].region.nRe, 41);
  assert.equal(json.panels[0].realIntervals.length, 1);
});

// ---------------------------------------------------------------------------------------------------------------
// Errors

function throwsTide(fn: () => unknown, code: string, phrase: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof TideError && e.code === code && phrase.test(e.message));
}

test('bad inputs: λ outside (0, 1], non-explicit tableaus, bad grids and options', () => {
  for (const lambda of [0, -0.1, 1.5, Number.NaN, Infinity]) {
    throwsTide(() => isStable(rk4, lambda, -0.1), 'BAD_OPTION', /λ must be in \(0, 1\].*0\.999/);
    throwsTide(() => couplingMatrix(rk4, lambda, -0.1), 'BAD_OPTION', /couplingMatrix: λ must be in \(0, 1\]/);
    throwsTide(() => stabilityRegion(rk4, lambda), 'BAD_OPTION', /λ must be in \(0, 1\]/);
    throwsTide(() => realStabilityIntervals(rk4, lambda), 'BAD_OPTION', /λ must be in \(0, 1\]/);
  }
  // Implicit midpoint: a11 = 1/2 on the diagonal.
  const implicitMidpoint = { ...euler, name: 'implicit-midpoint', c: Float64Array.of(0.5), a: [Float64Array.of(0.5)] } as Tableau;
  throwsTide(() => stabilityPolynomial(implicitMidpoint), 'BAD_ARGUMENT', /'implicit-midpoint' is not explicit: a\[0\]\[0\] = 0\.5/);
  throwsTide(() => isStable(implicitMidpoint, 0.9, -0.1), 'BAD_ARGUMENT', /not explicit/);
  const upper = { ...midpoint, name: 'upper', a: [Float64Array.of(0, 0.25), Float64Array.of(0.5)] } as Tableau;
  throwsTide(() => stabilityPolynomial(upper), 'BAD_ARGUMENT', /not explicit: a\[0\]\[1\]/);
  throwsTide(() => stabilityPolynomial({ ...rk4, a: rk4.a.slice(0, 3) } as Tableau), 'BAD_ARGUMENT', /needs s rows/);
  throwsTide(() => isStable([], 0.9, -0.1), 'BAD_ARGUMENT', /no coefficients/);
  throwsTide(() => isStable([1, Number.NaN], 0.9, -0.1), 'BAD_ARGUMENT', /must be finite/);
  throwsTide(() => isStable(rk4, 0.9, [1, 2, 3]), 'BAD_ARGUMENT', /z must be a number or an \[re, im\] pair/);
  throwsTide(() => isStable(rk4, 0.9, Number.NaN), 'BAD_ARGUMENT', /must be finite/);
  for (const [key, n] of [['nRe', 0], ['nIm', -3], ['nRe', 2.5]] as const) {
    throwsTide(() => stabilityRegion(rk4, 0.8, { [key]: n }), 'BAD_OPTION', new RegExp(`${key} must be a positive integer`));
  }
  throwsTide(() => stabilityRegion(rk4, 0.8, { reMin: 1, reMax: 0 }), 'BAD_OPTION', /Re range \[1, 0\]/);
  throwsTide(() => stabilityRegion(rk4, 0.8, { nRe: 5000, nIm: 5000 }), 'BAD_OPTION', /coarser grid/);
  throwsTide(() => stabilityRegion(rk4, 0.8, { nre: 5 } as never), 'BAD_OPTION', /unknown option 'nre'.*Did you mean 'nRe'/);
  throwsTide(() => realStabilityIntervals(rk4, 0.8, { n: 1 }), 'BAD_OPTION', /n must be an integer ≥ 2/);
  throwsTide(() => realStabilityIntervals(rk4, 0.8, { min: 0, max: -4 }), 'BAD_OPTION', /min < max/);
  throwsTide(() => olderSchemeMatrix('leapfrog' as OlderScheme, -0.5), 'UNKNOWN_NAME', /unknown scheme 'leapfrog'/);
});
