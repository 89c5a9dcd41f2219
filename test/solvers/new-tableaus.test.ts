/**
 * heun3 (Heun's third-order method) and fehlberg2 (Runge–Kutta–Fehlberg 2(1)): tableau structure, every order
 * condition up to order 4 (rooted trees, Hairer–Nørsett–Wanner I §II.2), fixed-step convergence slopes, and adaptive
 * fehlberg2. Also: the tableaus that existed before dopri8 carry no second error estimate, no errorNorm and no extra
 * dense stages, so the loop runs them exactly as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { odeTerm } from '../../src/terms/ode.ts';
import { fieldFromFunction } from '../../src/core/field.ts';
import { heun3 } from '../../src/solvers/tableaus/heun3.ts';
import { fehlberg2 } from '../../src/solvers/tableaus/fehlberg2.ts';
import { euler } from '../../src/solvers/tableaus/euler.ts';
import { midpoint } from '../../src/solvers/tableaus/midpoint.ts';
import { heun } from '../../src/solvers/tableaus/heun.ts';
import { ralston } from '../../src/solvers/tableaus/ralston.ts';
import { rk4 } from '../../src/solvers/tableaus/rk4.ts';
import { bs3 } from '../../src/solvers/tableaus/bs3.ts';
import { dopri5, dopri5Shampine } from '../../src/solvers/tableaus/dopri5.ts';
import { tsit5 } from '../../src/solvers/tableaus/tsit5.ts';
import { erkSolver, erkStep, erkWorkspace } from '../../src/solvers/erk.ts';
import { getSolver } from '../../src/solvers/registry.ts';
import type { Tableau } from '../../src/solvers/tableau.ts';
import { P1, P2, P3 } from '../fixtures/problems.ts';
import { maxResidualAt, orderResiduals } from '../oracles/rooted-trees.ts';

const decay = fieldFromFunction((o, _t, y) => { o[0] = -y[0]; }, 1, 0, 'decay');
const cosine = fieldFromFunction((o, t) => { o[0] = Math.cos(t); }, 1, 0, 'cosine');
const bHat = (T: Tableau): number[] => Array.from(T.b, (b, i) => b - (T.bErr as Float64Array)[i]);

test('heun3 and fehlberg2: stages, nodes, FSAL, adaptivity and orders as published', () => {
  assert.deepEqual([heun3.stages, heun3.fsal, heun3.adaptiveByDefault, heun3.errorOrder, heun3.bErr], [3, false, false, undefined, null]);
  assert.deepEqual(Array.from(heun3.c), [0, 1 / 3, 2 / 3]);
  assert.deepEqual(Array.from(heun3.b), [1 / 4, 0, 3 / 4]);
  // Fehlberg's pair is FSAL for its order-1 formula (a_3j = b̂_j); tide propagates the order-2 b, so no FSAL here.
  assert.deepEqual([fehlberg2.stages, fehlberg2.fsal, fehlberg2.adaptiveByDefault, fehlberg2.errorOrder], [3, false, true, 1]);
  assert.deepEqual(Array.from(fehlberg2.a[2]), bHat(fehlberg2).slice(0, 2));
  assert.deepEqual(bHat(fehlberg2), [1 / 256, 255 / 256, 0]);
  assert.deepEqual(Array.from(fehlberg2.b), [1 / 512, 255 / 256, 1 / 512]);
  for (const [name, p, q] of [['heun3', 3, undefined], ['fehlberg2', 2, 1]] as const) {
    const s = getSolver(name);
    assert.deepEqual([s.name, s.order, s.errorOrder, s.errorNorm], [name, p, q, undefined]);
  }
});

test('quadrature conditions Σ b_i c_i^{k−1} = 1/k for k ≤ p (and k ≤ q for fehlberg2\'s b̂), failing at p + 1', () => {
  const quad = (w: ArrayLike<number>, c: Float64Array, k: number): number => Array.from(c).reduce((s, ci, i) => s + w[i] * ci ** (k - 1), 0) - 1 / k;
  for (const [T, w, p] of [[heun3, heun3.b, 3], [fehlberg2, fehlberg2.b, 2], [fehlberg2, bHat(fehlberg2), 1]] as const) {
    for (let k = 1; k <= p; k++) assert.ok(Math.abs(quad(w, T.c, k)) <= 1e-15, `${T.name} k=${k}`);
    assert.ok(Math.abs(quad(w, T.c, p + 1)) > 1e-3, `${T.name} k=${p + 1} should fail`);
  }
});

test('all order conditions up to order 4 (1 + 1 + 2 + 4 trees): hold to p, some fail at every order above p', () => {
  for (const [T, w, p] of [[heun3, heun3.b, 3], [fehlberg2, fehlberg2.b, 2], [fehlberg2, bHat(fehlberg2), 1]] as const) {
    const res = orderResiduals(T.a, w, 4);
    assert.equal(res.length, 8);
    for (const { order, tree, r } of res) if (order <= p) assert.ok(Math.abs(r) <= 1e-15, `${T.name} order ${order} tree ${tree}: ${r}`);
    for (let o = p + 1; o <= 4; o++) assert.ok(maxResidualAt(res, o) > 1e-3, `${T.name} (p = ${p}) should fail order ${o}`);
  }
});

test('fixed-step convergence on y\' = −y and y\' = cos t: observed order within ±0.2 of 3 (heun3) and 2 (fehlberg2)', () => {
  const problems = [
    { field: decay, y0: 1, exact: Math.exp(-1) },
    { field: cosine, y0: 0, exact: Math.sin(1) },
  ];
  for (const { field, y0, exact } of problems) {
    for (const [m, p] of [['heun3', 3], ['fehlberg2', 2]] as const) {
      const errs = [20, 40, 80].map((N) => Math.abs(solve(field, Float64Array.of(y0), { t0: 0, t1: 1, method: m, adaptive: false, stepSize: 1 / N }).yFinal[0] - exact));
      for (let i = 1; i < errs.length; i++) {
        const slope = Math.log2(errs[i - 1] / errs[i]);
        assert.ok(Math.abs(slope - p) <= 0.2, `${m} on ${field.name}: slope ${slope.toFixed(3)} (errors ${errs.map((e) => e.toExponential(2)).join(', ')}), nominal ${p}`);
      }
    }
  }
});

test('heun3 is fixed-step only: adaptive stepping is refused with the usual message', () => {
  assert.throws(() => solve(decay, Float64Array.of(1), { t0: 0, t1: 1, method: 'heun3' }), /fixed-step solves need stepSize/);
  assert.throws(() => solve(decay, Float64Array.of(1), { t0: 0, t1: 1, method: 'heun3', adaptive: true }), /'heun3' has no error estimate/);
});

test('fehlberg2 adaptive: reaches t1, 3 NFE per step after an accepted one, error proportional to the tolerance', () => {
  for (const P of [P1, P2, P3]) {
    const errs: number[] = [];
    for (const rtol of [1e-6, 1e-8]) {
      const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method: 'fehlberg2', rtol, atol: rtol, maxSteps: 100000 });
      assert.equal(sol.status, 'success');
      assert.equal(sol.tFinal, P.t1);
      // begin (1) + initial-step probe (1) + 2 stages per attempt + a fresh k_1 after every accepted step but the last.
      assert.equal(sol.stats.nfe, 1 + 2 * sol.stats.nSteps + sol.stats.nAccepted, `${P.name} rtol ${rtol}: NFE`);
      const ex = P.exact(P.t1);
      errs.push(Math.max(...ex.map((v, j) => Math.abs(sol.yFinal[j] - v) / (1 + Math.abs(v)))));
    }
    // Global error ∝ tolerance (×100 for a 100× tighter tolerance, within a factor 3).
    const ratio = errs[0] / errs[1];
    assert.ok(ratio > 100 / 3 && ratio < 300, `${P.name}: errors ${errs.map((e) => e.toExponential(2)).join(', ')} (ratio ${ratio.toFixed(1)})`);
    assert.ok(errs[1] < 1e-5, `${P.name}: error ${errs[1].toExponential(2)} at rtol 1e-8`);
  }
});

test('fehlberg2 adaptive on the rotation P2 at rtol = atol = 1e-8: every accepted step meets the tolerance', () => {
  let worst = 0;
  const rtol = 1e-8;
  solve(P2.field, P2.y0, { t0: P2.t0, t1: P2.t1, method: 'fehlberg2', rtol, atol: rtol, maxSteps: 100000, onAccept: (r: { h: number; y: Readonly<Float64Array>; yNew: Readonly<Float64Array> }) => {
    // True local error against the exact flow (a rotation by h) from the step's own start.
    const c = Math.cos(r.h), s = Math.sin(r.h);
    const ex = [c * r.y[0] - s * r.y[1], s * r.y[0] + c * r.y[1]];
    for (let j = 0; j < 2; j++) worst = Math.max(worst, Math.abs(r.yNew[j] - ex[j]) / (rtol + rtol * Math.max(Math.abs(r.y[j]), Math.abs(r.yNew[j]))));
  } });
  assert.ok(worst <= 1, `worst local error / tolerance scale ${worst.toFixed(3)}`);
});

test('fehlberg2: the order-1 estimate h²y\'\'/512 understates the order-2 local error h³y\'\'\'/6 once |hλ| ≳ 1/85 (documented)', () => {
  for (const [h, want] of [[0.1, 85 * 0.1], [0.004, 85 * 0.004]] as const) {
    const ws = erkWorkspace(fehlberg2, odeTerm(decay)), y = Float64Array.of(1), yOut = new Float64Array(1), err = new Float64Array(1);
    erkStep(yOut, err, fehlberg2, 0, h, y, new Float64Array(0), ws);
    const ratio = Math.abs(yOut[0] - Math.exp(-h)) / Math.abs(err[0]);
    assert.ok(Math.abs(ratio / want - 1) < 0.1, `h = ${h}: true/estimated local error ${ratio.toFixed(3)}, expected ≈ ${want}`);
  }
});

test('tableaus from before dopri8: no second estimate, no error combination, no extra dense stages, no errorNorm', () => {
  for (const T of [euler, midpoint, heun, ralston, rk4, bs3, dopri5, dopri5Shampine, tsit5, heun3, fehlberg2]) {
    assert.equal(T.bErr2, null, T.name);
    assert.equal(T.errorCombination, null, T.name);
    assert.equal(T.dense.extraStages, undefined, T.name);
    assert.equal(erkSolver(T).errorNorm, undefined, T.name);
    const ws = erkWorkspace(T, odeTerm(fieldFromFunction(() => {}, 3)));
    assert.equal(ws.err2, null, T.name);
    assert.equal(ws.kDense, null, T.name);
  }
  for (const name of ['dopri5', 'tsit5', 'bs3', 'vcab3']) assert.equal(getSolver(name).errorNorm, undefined, name);
});
