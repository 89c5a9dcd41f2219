/**
 * dopri8, Dormand–Prince 8(5,3) as in Hairer's DOP853: the 13-stage FSAL tableau (all 200 order conditions to order 8,
 * embedded orders 5 and 3), fixed-step order 8, the 7th-order dense output with its 3 extra stages (continuous order
 * conditions, h⁸ local error, exact ends), the combined error ratio (equal to SciPy's DOP853 `_estimate_error_norm`),
 * and, under the 'scipy' controller, solve_ivp(method='DOP853')'s exact nfev and states on the problems of
 * test/solve/scipy.test.ts (fixtures from test/fixtures/gen_dop853_refs.py; no Python needed here).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { solve } from '../../src/gradients/solve.ts';
import { odeTerm } from '../../src/terms/ode.ts';
import { fieldFromFunction, type VectorField } from '../../src/core/field.ts';
import { dopri8 } from '../../src/solvers/tableaus/dopri8.ts';
import { dopri8Dense, DOPRI8_DENSE_D } from '../../src/solvers/dense/dopri8.ts';
import { evalDense } from '../../src/solvers/dense/polynomial.ts';
import { dop853ErrorRatio, erkSolver, erkStep, erkWorkspace } from '../../src/solvers/erk.ts';
import { defineTableau } from '../../src/solvers/tableau.ts';
import { getSolver } from '../../src/solvers/registry.ts';
import { rmsNorm } from '../../src/control/norms.ts';
import { P1, P2, P3, lotkaVolterra, vanDerPol, whiteDwarf } from '../fixtures/problems.ts';
import { maxResidualAt, orderResiduals, rootedTrees } from '../oracles/rooted-trees.ts';
import { throwsTide } from '../oracles/throws.ts';

const decay = fieldFromFunction((o, _t, y) => { o[0] = -y[0]; }, 1, 0, 'decay');
const cosine = fieldFromFunction((o, t) => { o[0] = Math.cos(t); }, 1, 0, 'cosine');
const e5 = dopri8.bErr as Float64Array, e3 = dopri8.bErr2 as Float64Array;
const bMinus = (e: Float64Array): number[] => Array.from(dopri8.b, (b, i) => b - e[i]);
const none = new Float64Array(0);

test('dopri8: 12 + 1 FSAL stages, orders 8 / 7, two error estimates, stiffness pair (12, 13), DOP853 coefficients', () => {
  assert.deepEqual([dopri8.stages, dopri8.fsal, dopri8.order, dopri8.errorOrder, dopri8.errorCombination], [13, true, 8, 7, 'dop853']);
  assert.deepEqual(dopri8.stiffnessStages, [11, 12]);
  assert.equal(dopri8.c[12], 1);
  assert.equal(dopri8.b[12], 0);
  assert.deepEqual(Array.from(dopri8.a[12]), Array.from(dopri8.b.subarray(0, 12)));
  // Spot checks against [HW5] dop853.f: b1, b8, a98, er1, and e3 = b − b̂₃ with b̂₃ at k_1, k_9, k_12 only.
  assert.equal(dopri8.b[0], 5.42937341165687622380535766363e-2);
  assert.equal(dopri8.b[7], -5.8012039600105847814672114227);
  assert.equal(dopri8.a[8][7], -4.34898841810699588477366255144e1);
  assert.equal(e5[0], 0.1312004499419488073250102996e-1);
  const b3 = bMinus(e3);
  assert.deepEqual(b3.map((v, i) => (Math.abs(v) > 1e-15 ? i : -1)).filter((i) => i >= 0), [0, 8, 11]);
  assert.ok(Math.abs(b3[0] - 0.244094488188976377952755905512) < 1e-16 && Math.abs(b3[11] - 0.220588235294117647058823529412e-1) < 1e-16);
  const s = getSolver('dopri8');
  assert.deepEqual([s.name, s.order, s.errorOrder, s.denseWidth, s.denseOrder, s.adaptiveByDefault], ['dopri8', 8, 7, 8, 7, true]);
  assert.equal(typeof s.errorNorm, 'function');
  // Hairer's stabilised DOP853 control, β = 0.04: fac = err^{1/8 − 0.2β} / facold^β.
  assert.deepEqual([s.piGains.beta1, s.piGains.beta2], [1 / 8 - 0.2 * 0.04, 0.04]);
});

test('dopri8: all 200 order conditions to order 8 hold for b (and the bushy ones Σ b c^{k−1} = 1/k), order 9 fails', () => {
  assert.deepEqual(rootedTrees(8).map((g) => g.length), [0, 1, 1, 2, 4, 9, 20, 48, 115]);
  const res = orderResiduals(dopri8.a, dopri8.b, 9);
  for (const { order, tree, r } of res) if (order <= 8) assert.ok(Math.abs(r) <= 1e-14, `order ${order} tree ${tree}: ${r}`);
  assert.ok(maxResidualAt(res, 9) > 1e-6, 'an 8th-order method fails some order-9 condition');
  for (let k = 1; k <= 8; k++) {
    const r = Array.from(dopri8.c).reduce((acc, c, i) => acc + dopri8.b[i] * c ** (k - 1), 0) - 1 / k;
    assert.ok(Math.abs(r) <= 1e-15, `Σ b c^${k - 1}: ${r}`);
  }
});

test('dopri8: embedded b̂₅ = b − e5 has order 5 (fails 6), b̂₃ = b − e3 has order 3 (fails 4)', () => {
  for (const [e, q] of [[e5, 5], [e3, 3]] as const) {
    const res = orderResiduals(dopri8.a, bMinus(e), q + 1);
    for (const { order, tree, r } of res) if (order <= q) assert.ok(Math.abs(r) <= 1e-14, `b̂ (q = ${q}) order ${order} tree ${tree}: ${r}`);
    assert.ok(maxResidualAt(res, q + 1) > 1e-5, `b̂ (q = ${q}) should fail order ${q + 1}`);
  }
});

/** The 16 × 16 stage matrix: the tableau's 13 rows, then the interpolant's 3 extra rows. */
const extA: ArrayLike<number>[] = [...dopri8.a, ...(dopri8Dense.extraStages?.a ?? [])];

/** B_i(θ) and B_i'(θ) over the 16 stages, read off by packing unit stage vectors (h = 1, y_n = 0, y_{n+1} = b_i). */
function denseWeights(theta: number): { B: number[]; dB: number[] } {
  const B: number[] = [], dB: number[] = [];
  for (let i = 0; i < 16; i++) {
    const k = Array.from({ length: 16 }, (_, j) => Float64Array.of(i === j ? 1 : 0));
    const coef = new Float64Array(8);
    dopri8Dense.pack(coef, 1, Float64Array.of(0), Float64Array.of(i < 13 ? dopri8.b[i] : 0), k, k[12]);
    let v = 0, d = 0;
    for (let r = 7; r >= 0; r--) v = v * theta + coef[r];
    for (let r = 7; r >= 1; r--) d = d * theta + r * coef[r];
    B.push(v); dB.push(d);
  }
  return { B, dB };
}

test('dopri8 dense output: continuous order conditions Σ B_i(θ) Φ_i(t) = θ^|t|/γ(t) for all trees to order 7, not 8', () => {
  for (const theta of [0.2, 0.5, 0.9]) {
    const res = orderResiduals(extA, denseWeights(theta).B, 8, theta);
    // Monomial weights of size ~10² cancel near θ = 1: residuals ~1e-13 instead of ~1e-15 in the nested form.
    for (const { order, tree, r } of res) if (order <= 7) assert.ok(Math.abs(r) <= 1e-12, `θ = ${theta} order ${order} tree ${tree}: ${r}`);
    assert.ok(maxResidualAt(res, 8) > 1e-7, `θ = ${theta}: a 7th-order interpolant fails at order 8`);
  }
  // Ends: B(1) = b, B'(0) = δ_1, B'(1) = δ_13 (C¹ across steps).
  const at0 = denseWeights(0), at1 = denseWeights(1);
  for (let i = 0; i < 16; i++) {
    assert.ok(Math.abs(at1.B[i] - (i < 13 ? dopri8.b[i] : 0)) <= 1e-13, `B_${i + 1}(1) = ${at1.B[i]}`);
    assert.ok(Math.abs(at0.dB[i] - (i === 0 ? 1 : 0)) <= 1e-15, `B_${i + 1}'(0) = ${at0.dB[i]}`);
    assert.ok(Math.abs(at1.dB[i] - (i === 12 ? 1 : 0)) <= 1e-12, `B_${i + 1}'(1) = ${at1.dB[i]}`);
  }
  assert.equal(DOPRI8_DENSE_D.length, 4);
});

test('dopri8 fixed steps: observed order 8 ± 0.2 on y\' = −y and y\' = cos t (T = 4, N = 4, 8, 16)', () => {
  for (const [field, y0, exact] of [[decay, 1, Math.exp(-4)], [cosine, 0, Math.sin(4)]] as const) {
    const errs = [4, 8, 16].map((N) => Math.abs(solve(field, Float64Array.of(y0), { t0: 0, t1: 4, method: 'dopri8', adaptive: false, stepSize: 4 / N }).yFinal[0] - exact));
    for (let i = 1; i < errs.length; i++) {
      const slope = Math.log2(errs[i - 1] / errs[i]);
      assert.ok(Math.abs(slope - 8) <= 0.2, `${field.name}: slope ${slope.toFixed(3)} (errors ${errs.map((e) => e.toExponential(2)).join(', ')})`);
    }
  }
});

test('dopri8 dense output on one step of y\' = −y: max error over θ shrinks like h⁸; one step costs 12 + 3 extra NFE', () => {
  const maxErr = (h: number): number => {
    const sol = solve(decay, Float64Array.of(1), { t0: 0, t1: h, method: 'dopri8', adaptive: false, stepSize: h, saveAt: { dense: true } });
    assert.equal(sol.stats.nfe, 1 + 12 + 3);
    const out = new Float64Array(1);
    let m = 0;
    for (let i = 0; i <= 1000; i++) m = Math.max(m, Math.abs(sol.evaluate((i / 1000) * h, out)[0] - Math.exp(-(i / 1000) * h)));
    return m;
  };
  const errs = [1, 0.5, 0.25].map(maxErr);
  for (let i = 1; i < errs.length; i++) {
    const r = Math.log2(errs[i - 1] / errs[i]);
    assert.ok(Math.abs(r - 8) < 0.35, `log2 ratio ${r.toFixed(2)} (errors ${errs.map((e) => e.toExponential(2)).join(', ')}), expected ≈ 8`);
  }
  // Without dense output the same step costs 12 (FSAL): the extra stages are evaluated only when asked for.
  assert.equal(solve(decay, Float64Array.of(1), { t0: 0, t1: 1, method: 'dopri8', adaptive: false, stepSize: 1 }).stats.nfe, 13);
});

test('dopri8 dense output at θ = 1 is y_{n+1} (to rounding) and its slope there is f(t_{n+1}, y_{n+1})', () => {
  const solver = erkSolver(dopri8), ws = solver.workspace(odeTerm(lotkaVolterra));
  const y = Float64Array.of(1.3, 0.7), yNew = new Float64Array(2), coef = new Float64Array(16), out = new Float64Array(2);
  solver.begin(0, y, none, ws);
  solver.step(yNew, null, 0, 0.3, y, none, ws);
  assert.equal(solver.accept(coef, false, 0, 0.3, y, yNew, none, ws), 3);
  evalDense(out, 1, coef, 8);
  const f1 = solver.currentF(ws) as Float64Array;
  for (let j = 0; j < 2; j++) {
    assert.ok(Math.abs(out[j] - yNew[j]) <= 4 * Number.EPSILON * Math.abs(yNew[j]), `y(1)[${j}] = ${out[j]} vs ${yNew[j]}`);
    let d = 0;
    for (let r = 7; r >= 1; r--) d = d * 1 + r * coef[r * 2 + j];
    assert.ok(Math.abs(d / 0.3 - f1[j]) <= 1e-12 * (1 + Math.abs(f1[j])), `y'(1)[${j}] = ${d / 0.3} vs ${f1[j]}`);
  }
});

test('dopri8 adaptive with saveAt.dense: solution.evaluate matches the exact solution; NFE = 2 + 12/attempt + 3/step', () => {
  for (const P of [P2, P3]) {
    const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method: 'dopri8', rtol: 1e-10, atol: 1e-12, saveAt: { dense: true } });
    assert.equal(sol.stats.nfe, 2 + 12 * sol.stats.nSteps + 3 * sol.stats.nAccepted);
    const out = new Float64Array(P.y0.length);
    let worst = 0;
    for (let i = 0; i <= 500; i++) {
      const t = P.t0 + ((P.t1 - P.t0) * i) / 500;
      const ex = P.exact(t);
      sol.evaluate(t, out);
      for (let j = 0; j < ex.length; j++) worst = Math.max(worst, Math.abs(out[j] - ex[j]) / (1 + Math.abs(ex[j])));
    }
    // Between steps the 7th-order interpolant is the weaker part: on P3 ~1e-9 against ~2e-11 at the step ends, as for
    // SciPy's DOP853 dense output on the same steps (1.2e-9).
    assert.ok(worst < 2e-9, `${P.name}: worst mixed error of the dense output ${worst.toExponential(2)}`);
    const plain = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method: 'dopri8', rtol: 1e-10, atol: 1e-12 });
    assert.equal(plain.stats.nfe, 2 + 12 * plain.stats.nSteps);
    assert.equal(plain.stats.nSteps, sol.stats.nSteps, 'dense output does not change the steps');
  }
});

test('dopri8 events are located on the 7th-order dense output', () => {
  // Rotation (cos t, sin t): y[1] falls through 0 at t = π.
  const sol = solve(P2.field, P2.y0, { t0: 0, t1: 10, method: 'dopri8', rtol: 1e-10, atol: 1e-12, events: { condition: (_t: number, y: Readonly<Float64Array>) => y[1], direction: 'falling' } });
  assert.equal(sol.status, 'event');
  assert.ok(Math.abs(sol.event!.t - Math.PI) < 1e-9, `t = ${sol.event!.t}`);
});

test('dop853ErrorRatio: E = e5²/sqrt(e5² + 0.01 e3²), 0 at e5 = 0, non-finite in gives non-finite out', () => {
  assert.ok(Math.abs(dop853ErrorRatio(3, 4) - 9 / Math.sqrt(9 + 0.16)) <= 1e-15);
  assert.ok(Math.abs(dop853ErrorRatio(1e-200, 1e-190) - 1e-200 / Math.sqrt(1 + 0.01 * 1e20)) <= 1e-214);
  assert.ok(Math.abs(dop853ErrorRatio(1e200, 1e199) - 1e200 / Math.sqrt(1 + 0.01 * 0.01)) <= 1e186);
  assert.equal(dop853ErrorRatio(0, 0), 0);
  assert.equal(dop853ErrorRatio(0, 5), 0);
  assert.ok(Number.isNaN(dop853ErrorRatio(NaN, 1)));
  assert.ok(Number.isNaN(dop853ErrorRatio(1, NaN)));
  assert.equal(dop853ErrorRatio(Infinity, 1), Infinity);
  assert.equal(dop853ErrorRatio(1, Infinity), Infinity);
});

test('dopri8 errorNorm with the RMS norm equals SciPy\'s DOP853._estimate_error_norm on real steps', () => {
  const solver = getSolver('dopri8');
  for (const [field, y0, params, h, rtol, atol] of [
    [lotkaVolterra, [1.3, 0.7], none, 0.3, 1e-6, 1e-9],
    [vanDerPol, [2, 0], Float64Array.of(5), 0.05, 1e-3, Float64Array.of(1e-6, 1e-4)],
    [whiteDwarf, [1, 0], none, 0.4, Float64Array.of(1e-8, 1e-5), 1e-10],
  ] as [VectorField, number[], Float64Array, number, number | Float64Array, number | Float64Array][]) {
    const n = y0.length, y = Float64Array.from(y0), yNew = new Float64Array(n), err = new Float64Array(n);
    const ws = erkWorkspace(dopri8, odeTerm(field));
    erkStep(yNew, err, dopri8, 0, h, y, params, ws);
    // SciPy: err5 = K·E5 / scale, err3 = K·E3 / scale; E = |h| ‖err5‖² / sqrt((‖err5‖² + 0.01 ‖err3‖²) n).
    let s5 = 0, s3 = 0;
    for (let m = 0; m < n; m++) {
      const r = typeof rtol === 'number' ? rtol : rtol[m], a = typeof atol === 'number' ? atol : atol[m];
      const scale = a + Math.max(Math.abs(y[m]), Math.abs(yNew[m])) * r;
      let d5 = 0, d3 = 0;
      for (let i = 0; i < 13; i++) { d5 += ws.k[i][m] * e5[i]; d3 += ws.k[i][m] * e3[i]; }
      s5 += (d5 / scale) ** 2; s3 += (d3 / scale) ** 2;
    }
    const scipy = (Math.abs(h) * s5) / Math.sqrt((s5 + 0.01 * s3) * n);
    const E = (solver.errorNorm as NonNullable<typeof solver.errorNorm>)(rmsNorm, err, y, yNew, rtol, atol, ws);
    assert.ok(Math.abs(E - scipy) <= 1e-12 * scipy, `${field.name}: E = ${E} vs SciPy ${scipy}`);
    assert.ok(E > 1e-12 && E < 1e6, `${field.name}: E = ${E} should be a meaningful ratio`);
  }
});

interface StepRow { problem: string; mu: number | null; rtol: number; atol: number; nfev: number; nAccepted: number; yFinal: number[] }
interface DenseRow { problem: string; mu: number | null; rtol: number; atol: number; ts: number[]; ys: number[][]; nfev: number }
const refs = JSON.parse(readFileSync(new URL('../fixtures/dop853-refs.json', import.meta.url), 'utf8')) as { scipy: string; steps: StepRow[]; dense: DenseRow[] };

function problemOf(name: string, mu: number | null): { field: VectorField; y0: Float64Array; t0: number; t1: number; params: Float64Array } {
  switch (name) {
    case 'P1': case 'P2': case 'P3': {
      const P = { P1, P2, P3 }[name];
      return { field: P.field, y0: P.y0, t0: P.t0, t1: P.t1, params: none };
    }
    case 'lotka-volterra': return { field: lotkaVolterra, y0: Float64Array.of(1, 1), t0: 0, t1: 10, params: none };
    case 'white-dwarf': return { field: whiteDwarf, y0: Float64Array.of(1, 0), t0: 0, t1: 5, params: none };
    case 'van-der-pol': return { field: vanDerPol, y0: Float64Array.of(2, 0), t0: 0, t1: 20, params: Float64Array.of(mu as number) };
    default: throw new Error(`unknown fixture problem ${name}`);
  }
}

test('fixtures are present and come from SciPy DOP853 (8 problems × 3 tolerances, 2 dense grids)', () => {
  assert.match(refs.scipy, /^\d+\.\d+/);
  assert.equal(refs.steps.length, 24);
  assert.equal(refs.dense.length, 2);
});

test('ScipyController + automatic initial step reproduce solve_ivp DOP853 nfev and accepted steps exactly; states agree', () => {
  for (const row of refs.steps) {
    const P = problemOf(row.problem, row.mu);
    const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, params: P.params, method: 'dopri8', rtol: row.rtol, atol: row.atol, controller: 'scipy' });
    const what = `${row.problem}${row.mu === null ? '' : ` μ=${row.mu}`} rtol ${row.rtol}`;
    assert.equal(sol.stats.nfe, row.nfev, `${what}: nfev`);
    assert.equal(sol.stats.nAccepted, row.nAccepted, `${what}: accepted steps`);
    // Same steps; rounding in the error estimate moves h by ~1e-8 relative at loose tolerances, far below rtol.
    row.yFinal.forEach((v, j) => assert.ok(Math.abs(sol.yFinal[j] - v) <= 0.01 * row.rtol * Math.max(1, Math.abs(v)), `${what}: y[${j}] ${sol.yFinal[j]} vs ${v}`));
  }
});

test('dopri8 saves inside steps match SciPy DOP853 t_eval (same interpolant), with the same nfev (3 extra per step)', () => {
  for (const row of refs.dense) {
    const P = problemOf(row.problem, row.mu);
    const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, params: P.params, method: 'dopri8', rtol: row.rtol, atol: row.atol, controller: 'scipy', saveAt: { ts: row.ts } });
    assert.equal(sol.count, row.ts.length);
    assert.equal(sol.stats.nfe, row.nfev, `${row.problem}: nfev with saves`);
    let worst = 0;
    for (let i = 0; i < row.ts.length; i++) for (let j = 0; j < 2; j++) worst = Math.max(worst, Math.abs(sol.y(i)[j] - row.ys[i][j]) / Math.max(1, Math.abs(row.ys[i][j])));
    assert.ok(worst < 1e-9, `${row.problem}: worst difference ${worst.toExponential(2)}`);
  }
});

test('dopri8 dense output refuses to be probed with the step\'s own 13 stages only (gradient save plans)', () => {
  const k = Array.from({ length: 13 }, () => new Float64Array(1));
  throwsTide(() => dopri8Dense.pack(new Float64Array(8), 1, new Float64Array(1), new Float64Array(1), k, k[12]), 'BAD_ARGUMENT', /needs its 3 extra stages \(k with 16 entries, got 13\)/);
});

test('defineTableau checks the second error estimate and extra dense stages, naming what is wrong', () => {
  const ok = { name: 'x', order: 2, c: [0, 1 / 2], a: [[], [1 / 2]], b: [0, 1], bErr: [-1, 1] };
  assert.doesNotThrow(() => defineTableau({ ...ok, bErr2: [1, -1], errorCombination: 'dop853' }));
  throwsTide(() => defineTableau({ ...ok, bErr2: [1, -1] }), 'BAD_ARGUMENT', /bErr2 needs errorCombination: 'dop853'/);
  throwsTide(() => defineTableau({ ...ok, errorCombination: 'dop853' }), 'BAD_ARGUMENT', /errorCombination 'dop853' needs bErr2/);
  throwsTide(() => defineTableau({ ...ok, bErr: undefined, bErr2: [1, -1], errorCombination: 'dop853' }), 'BAD_ARGUMENT', /need bErr \(the first error estimate\)/);
  throwsTide(() => defineTableau({ ...ok, bErr2: [1, -1], errorCombination: 'hypot' as 'dop853' }), 'BAD_ARGUMENT', /errorCombination must be 'dop853'/);
  throwsTide(() => defineTableau({ ...ok, bErr2: [1, 0], errorCombination: 'dop853' }), 'BAD_ARGUMENT', /bErr2 sums to 1; error weights e₂ = b − b̂₂ must sum to 0/);
  throwsTide(() => defineTableau({ ...ok, bErr2: [1], errorCombination: 'dop853' }), 'BAD_ARGUMENT', /bErr2 must be an array of 2 numbers/);
  const dense = (extraStages: { c: number[]; a: number[][] }) => ({ ...dopri8Dense, extraStages });
  assert.doesNotThrow(() => defineTableau({ ...ok, dense: dense({ c: [0.5], a: [[0.25, 0.25]] }) }));
  throwsTide(() => defineTableau({ ...ok, dense: dense({ c: [0.5], a: [[0.5]] }) }), 'BAD_ARGUMENT', /dense\.extraStages\.a\[0\] must be an array of 2 numbers/);
  throwsTide(() => defineTableau({ ...ok, dense: dense({ c: [0.5], a: [[0.5, 0.5]] }) }), 'BAD_ARGUMENT', /row 0 of dense\.extraStages\.a sums to 1 but its node is 0\.5/);
  throwsTide(() => defineTableau({ ...ok, dense: dense({ c: [0.5, 1], a: [[0.25, 0.25]] }) }), 'BAD_ARGUMENT', /one entry per extra stage/);
});

test('dopri8 gives Shampine\'s stiffness estimate from its stages 12 and 13 (both at c = 1)', () => {
  const rho: number[] = [];
  solve(decay, Float64Array.of(1), { t0: 0, t1: 2, method: 'dopri8', onStep: (i: { stiffness: number }) => { rho.push(i.stiffness); } });
  // y' = −y: ρ̂ = |λ| = 1 exactly (the field is linear).
  assert.ok(rho.length > 0 && rho.every((r) => Math.abs(r - 1) < 1e-6), `ρ̂ = ${rho.slice(0, 4).join(', ')}`);
});
