/**
 * Fixed-step convergence. Errors |y_N − e^{−1}| for y' = −y, y(0) = 1, T = 1 match the values of an independent float64 reference implementation of the published tableaus (cross-checked against SciPy solve_ivp) to
 * ~2 significant digits, and every fixed-step method's observed order (log2 of successive error ratios) is within
 * ±0.2 of nominal. The non-autonomous y' = cos t checks the nodes c_i.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { defineTableau, type Tableau } from '../../src/solvers/tableau.ts';
import { tsit5 } from '../../src/solvers/tableaus/tsit5.ts';
import { dopri5 } from '../../src/solvers/tableaus/dopri5.ts';
import { bs3 } from '../../src/solvers/tableaus/bs3.ts';
import { fieldFromFunction } from '../../src/core/field.ts';
import { assertRel } from '../fixtures/problems.ts';

const decay = fieldFromFunction((o, _t, y) => { o[0] = -y[0]; }, 1);
const cosine = fieldFromFunction((o, t) => { o[0] = Math.cos(t); }, 1);

/** The embedded solution b̂ as a propagated tableau (to check its order q = p − 1). */
function embedded(T: Tableau): Tableau {
  const e = T.bErr as Float64Array;
  return defineTableau({
    name: `${T.name}-embedded`, order: T.errorOrder as number,
    c: Array.from(T.c), a: T.a.map((r) => Array.from(r)), b: Array.from(T.b, (b, i) => b - e[i]),
  });
}

function fixedError(method: string | Tableau, field = decay, exact = Math.exp(-1), y0 = 1, N = 10): number {
  const sol = solve(field, Float64Array.of(y0), { t0: 0, t1: 1, method, adaptive: false, stepSize: 1 / N });
  assert.equal(sol.stats.nAccepted, N);
  return Math.abs(sol.yFinal[0] - exact);
}

const table: [string | Tableau, number[]][] = [
  [tsit5 as Tableau, [2.558e-10, 6.427e-12, 1.778e-13, 5.163e-15]],
  [embedded(tsit5), [1.773e-08, 1.043e-09, 6.324e-11, 3.891e-12]],
  [dopri5 as Tableau, [1.209e-09, 3.476e-11, 1.041e-12, 3.170e-14]],
  [embedded(dopri5), [3.299e-08, 1.959e-09, 1.193e-10, 7.356e-12]],
  [bs3 as Tableau, [1.661e-05, 1.994e-06, 2.443e-07, 3.024e-08]],
  [embedded(bs3), [9.283e-05, 2.113e-05, 5.033e-06, 1.228e-06]],
];

test('reference fixed-step errors on y\' = −y at N = 10, 20, 40, 80 (2 significant digits)', () => {
  for (const [T, want] of table) {
    [10, 20, 40, 80].forEach((N, i) => {
      // At N = 80 Tsit5's error (5e-15) is a few ulps of e^{-1}: only its magnitude is meaningful.
      const rel = want[i] < 1e-13 ? 0.5 : 0.01;
      assertRel(fixedError(T, decay, Math.exp(-1), 1, N), want[i], rel, `${typeof T === 'string' ? T : T.name} N=${N}`);
    });
  }
});

test('reference errors of the non-autonomous y\' = cos t at N = 10, 20, 40 (tests the nodes c_i)', () => {
  const want: [string, number[]][] = [
    ['tsit5', [7.234e-12, 2.442e-13, 7.772e-15]], ['dopri5', [6.365e-12, 2.104e-13, 6.883e-15]], ['bs3', [1.586e-06, 1.988e-07, 2.490e-08]],
  ];
  for (const [m, errs] of want) {
    [10, 20, 40].forEach((N, i) => assertRel(fixedError(m, cosine, Math.sin(1), 0, N), errs[i], errs[i] < 1e-13 ? 0.5 : 0.02, `${m} N=${N}`));
  }
});

test('observed order of every fixed-step method is within ±0.2 of nominal (y\' = −y and y\' = −2ty²)', () => {
  // y' = cos t is a pure quadrature (Ralston's nodes integrate it to order 3), so the slopes use a linear and a
  // nonlinear non-autonomous problem instead: y' = −2t y², y(0) = 1, exact 1/(1 + t²) at t = 2.
  const riccati = fieldFromFunction((o, t, y) => { o[0] = -2 * t * y[0] * y[0]; }, 1, 0, 'riccati');
  const nominal: [string, number, number[]][] = [
    ['euler', 1, [40, 80, 160]], ['midpoint', 2, [40, 80, 160]], ['heun', 2, [40, 80, 160]], ['ralston', 2, [40, 80, 160]],
    ['bs3', 3, [40, 80, 160]], ['rk4', 4, [40, 80, 160]], ['dopri5', 5, [20, 40, 80]], ['tsit5', 5, [20, 40, 80]],
    ['vcab3', 3, [40, 80, 160]],
  ];
  const problems = [
    { field: decay, T: 1, exact: Math.exp(-1), scale: 0.5 },
    { field: riccati, T: 2, exact: 1 / 5, scale: 2 },
  ];
  for (const { field, T, exact, scale } of problems) {
    for (const [m, p, Ns] of nominal) {
      // Riccati with the 5th-order pairs: one doubling further, still far above rounding (errors ~1e-13).
      const ns = field === riccati && p === 5 ? Ns.map((N) => 2 * N) : Ns.map((N) => Math.round(N * scale) || N);
      const errs = ns.map((N) => Math.abs(solve(field, Float64Array.of(1), { t0: 0, t1: T, method: m, adaptive: false, stepSize: T / N }).yFinal[0] - exact));
      const slope = Math.log2(errs[errs.length - 2] / errs[errs.length - 1]);
      assert.ok(Math.abs(slope - p) <= 0.2, `${m} on ${field.name}: observed order ${slope.toFixed(3)} (N = ${ns.join(', ')}: errors ${errs.map((e) => e.toExponential(2)).join(', ')}), nominal ${p}`);
    }
  }
});
