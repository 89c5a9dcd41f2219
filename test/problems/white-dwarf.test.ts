import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { solve, solveWithGradient, Rng } from '../../src/index.ts';
import {
  whiteDwarfField, whiteDwarfData, whiteDwarfModel, whiteDwarfProblem, ralston3, trainingOptimizer, WHITE_DWARF_Y0,
} from '../../src/problems/index.ts';
import { centralDiff, maxRelErr, randomArray } from '../oracles/finite-diff.ts';
import { assertClose, checkFieldVjp, checkLossGrad } from './check.ts';

describe('white dwarf (Chandrasekhar; McCallum & Foster 2024, experiment 1)', () => {
  test('reference solution at s = 1, 2.5, 5 (tight dopri5, 1e-9)', () => {
    const sol = solve(whiteDwarfField(), Float64Array.from(WHITE_DWARF_Y0), {
      t0: 0, t1: 5, method: 'dopri5', rtol: 1e-12, atol: 1e-12, saveAt: { ts: [1, 2.5, 5] },
    });
    assertClose(sol.ys, [0.770330627304, -0.324039723213, 0.353050307852, -0.207584010779, 0.042137611532, -0.070671017187], 1e-9, 'y(s)');
  });

  test('midpoint data: 1000 steps s_1 … s_1000, y_1, y_200, y_1000 to the printed digits', () => {
    const d = whiteDwarfData('midpoint');
    assert.equal(d.ts.length, 1000);
    assert.equal(d.ys.length, 2000);
    assert.deepEqual(Array.from(d.y0), [1, 0]);
    assert.equal(d.ts[0], 0.005);
    assert.equal(d.ts[199], 1);
    assert.equal(d.ts[999], 5);
    const row = (i: number): number[] => [d.ys[2 * (i - 1)], d.ys[2 * (i - 1) + 1]];
    assertClose(row(1), [0.99998752, -0.00494283], 5e-9, 'y_1');
    assertClose(row(200), [0.77033044, -0.32403661], 5e-9, 'y_200');
    assertClose(row(1000), [0.04213986, -0.07067115], 5e-9, 'y_1000');
  });

  test('Euler and RK4 data y_1000 to the printed digits; ralston3 between them', () => {
    const last = (m: string): number[] => { const d = whiteDwarfData(m); return [d.ys[1998], d.ys[1999]]; };
    assertClose(last('euler'), [0.04146794, -0.07043314], 5e-9, 'euler y_1000');
    assertClose(last('rk4'), [0.04213761, -0.07067102], 5e-9, 'rk4 y_1000');
    // Third order at h = 0.005: within 1e-7 of the reference solution, and the string resolves to the tableau.
    const r3 = last('ralston3');
    assertClose(r3, [0.042137611532, -0.070671017187], 1e-7, 'ralston3 y_1000');
    const byTableau = whiteDwarfData(ralston3);
    assert.deepEqual([byTableau.ys[1998], byTableau.ys[1999]], r3);
  });

  test('ralston3 tableau: RK3Simple coefficients, fixed-step only, third order', () => {
    assert.deepEqual(Array.from(ralston3.c), [0, 0.5, 0.75]);
    assert.deepEqual(Array.from(ralston3.a[2]), [0, 0.75]);
    assert.deepEqual(Array.from(ralston3.b), [2 / 9, 1 / 3, 4 / 9]);
    assert.equal(ralston3.bErr, null);
    // y' = y on [0, 1]: the error ratio for h and h/2 is ≈ 2³.
    const err = (n: number): number => {
      const s = solve((out, _t, y) => { out[0] = y[0]; }, Float64Array.of(1), { t0: 0, t1: 1, method: ralston3, stepSize: 1 / n });
      return Math.abs(s.yFinal[0] - Math.E);
    };
    const slope = Math.log2(err(40) / err(80));
    assert.ok(Math.abs(slope - 3) < 0.1, `order slope ${slope}`);
  });

  test('true field: VJP in y, C (learnC) and s matches central differences', () => {
    const y = Float64Array.of(0.6, -0.3);
    checkFieldVjp(whiteDwarfField(), 1.3, y, new Float64Array(0));
    const learn = whiteDwarfField({ learnC: true });
    assert.equal(learn.paramCount, 1);
    checkFieldVjp(learn, 1.3, y, Float64Array.of(0.001));
    // learnC with C = 0.001 is the same field.
    const a = new Float64Array(2), b = new Float64Array(2);
    whiteDwarfField().eval(a, 2, y, new Float64Array(0));
    learn.eval(b, 2, y, Float64Array.of(0.001));
    assert.deepEqual(Array.from(a), Array.from(b));
  });

  test('model: 62 parameters, equinox init bounds, VJP incl. ∂/∂s (batch 1 and 3)', () => {
    const f = whiteDwarfModel();
    assert.equal(f.paramCount, 62);
    assert.equal(f.dim, 2);
    const p = f.init(new Float64Array(62), new Rng(3));
    // Layer 0: weight 10×3 and bias 10 in ±1/√3; layer 1: weight 2×10 and bias 2 in ±1/√10.
    for (let i = 0; i < 40; i++) assert.ok(Math.abs(p[i]) <= 1 / Math.sqrt(3));
    for (let i = 40; i < 62; i++) assert.ok(Math.abs(p[i]) <= 1 / Math.sqrt(10));
    assert.ok(p.some((x) => Math.abs(x) > 1 / Math.sqrt(10)), 'first layer uses its wider bound');
    checkFieldVjp(f, 2.7, Float64Array.of(0.4, -0.2), p);
    const f3 = whiteDwarfModel(3);
    checkFieldVjp(f3, 0.9, randomArray(6, new Rng(5)), p);
    // Rows of a batch are independent copies of the batch-1 field.
    const y3 = Float64Array.of(0.4, -0.2, 1, 0, -0.3, 0.5), out3 = new Float64Array(6), out1 = new Float64Array(2);
    f3.eval(out3, 0.9, y3, p);
    f.eval(out1, 0.9, y3.subarray(2, 4), p);
    assertClose(out3.subarray(2, 4), out1, 1e-15, 'batch row 1');
  });

  test('loss: MSE over 1000 × 2 and its dYs match central differences', () => {
    const pb = whiteDwarfProblem();
    assert.equal(pb.loss(pb.data.ys), 0);
    const ys = pb.data.ys.map((v, i) => v + 0.01 * Math.sin(i));
    const L = pb.loss(ys);
    let want = 0;
    for (let i = 0; i < ys.length; i++) want += (0.01 * Math.sin(i)) ** 2;
    assert.ok(Math.abs(L - want / 2000) < 1e-15);
    checkLossGrad(pb.loss, ys);
    assert.throws(() => pb.loss(new Float64Array(10)), /targets have 2000/);
  });

  test('problem: settings, the training solve lands on the data times, gradients match central differences', () => {
    const pb = whiteDwarfProblem();
    assert.deepEqual(pb.training, { optimizer: 'adamw', lr: 1e-2, weightDecay: 1e-5, steps: 1000 });
    assert.equal(trainingOptimizer(pb.training).name, 'adamw');
    assert.deepEqual(pb.init(7), pb.init(7));
    // The true field through the training solve reproduces the data exactly: save times are the step times.
    const run = solveWithGradient(whiteDwarfField(), pb.y0, { ...pb.solveOptions, gradient: 'direct' });
    assert.equal(run.stats.nAccepted, 1000);
    assert.equal(pb.loss(run.ys), 0);
    // A short version (40 steps) of the training gradient vs central differences in a few parameters.
    const small = whiteDwarfProblem({ steps: 40, method: 'ralston3' });
    const params = small.init(0);
    const lossAt = (p: Float64Array): number => small.loss(solveWithGradient(small.field, small.y0, { ...small.solveOptions, params: p }).ys);
    const r = solveWithGradient(small.field, small.y0, { ...small.solveOptions, params, gradient: 'direct' });
    const dYs = new Float64Array(r.ys.length);
    small.loss(r.ys, dYs);
    const g = r.backward(dYs).dParams;
    const fd = centralDiff(lossAt, params);
    assert.ok(maxRelErr(g, fd, 1e-6) < 1e-6, `dParams max rel err ${maxRelErr(g, fd, 1e-6)}`);
  });
});
