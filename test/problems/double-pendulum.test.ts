import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { solve, solveWithGradient, Rng } from '../../src/index.ts';
import {
  doublePendulumField, doublePendulumData, doublePendulumModel, doublePendulumProblem, DOUBLE_PENDULUM_PARAMS, DOUBLE_PENDULUM_Y0,
} from '../../src/problems/index.ts';
import { randomArray } from '../oracles/finite-diff.ts';
import { assertClose, checkFieldVjp, checkLossGrad } from './check.ts';

const REF = [
  0.736269, 1.510602, 6.973048, -2.694498,      // t = 0.5
  -0.543099, -1.421264, -2.966893, -10.464228,  // t = 1
  -0.253182, -0.198333, 1.03522, -20.165372,    // t = 2
];

describe('double pendulum, offline substitute of the Schmidt & Lipson 2009 data (McCallum & Foster 2024, experiment 3)', () => {
  test('unscaled reference values at t = 0.5, 1, 2 (dopri5 rtol 1e-12, 1e-4)', () => {
    const sol = solve(doublePendulumField(), Float64Array.from(DOUBLE_PENDULUM_Y0), {
      t0: 0, t1: 2, params: Float64Array.from(DOUBLE_PENDULUM_PARAMS), method: 'dopri5', rtol: 1e-12, atol: 1e-12,
      saveAt: { ts: [0.5, 1, 2] },
    });
    assertClose(sol.ys, REF, 1e-4, 'y(t)');
  });

  test('data: 500 points on [0, 2] divided by 10, t = 0 included', () => {
    const d = doublePendulumData();
    assert.equal(d.ts.length, 500);
    assert.equal(d.ys.length, 2000);
    assert.equal(d.ts[0], 0);
    assert.equal(d.ts[499], 2);
    assertClose(d.y0, Array.from(DOUBLE_PENDULUM_Y0, (v) => v / 10), 1e-15, 'y0');
    assertClose(d.ys.subarray(0, 4), d.y0, 0, 'row 0');
    assertClose(d.ys.subarray(499 * 4), REF.slice(8).map((v) => v / 10), 1e-5, 'row 499');
  });

  test('true field: VJP in the state and the four coefficients matches central differences', () => {
    const y = Float64Array.of(-1.1, 0.4, 2.3, -5.9);
    const p = Float64Array.from(DOUBLE_PENDULUM_PARAMS);
    checkFieldVjp(doublePendulumField(), 0.2, y, p);
    checkFieldVjp(doublePendulumField(1, 0.1), 0.2, y.map((v) => v / 10), p);
    // In scaled units the field is f(z / 0.1) · 0.1.
    const f = new Float64Array(4), g = new Float64Array(4);
    doublePendulumField().eval(f, 0, y, p);
    doublePendulumField(1, 0.1).eval(g, 0, y.map((v) => v / 10), p);
    assertClose(g, f.map((v) => v / 10), 1e-14, 'scaled field');
    checkFieldVjp(doublePendulumField(2), 0.2, Float64Array.of(-1.1, 0.4, 2.3, -5.9, 0.3, -0.2, 1.0, 0.5),
      Float64Array.from(DOUBLE_PENDULUM_PARAMS), 3);
  });

  test('model: 94 parameters, VJP matches central differences', () => {
    const f = doublePendulumModel();
    assert.equal(f.paramCount, 94);
    const p = f.init(new Float64Array(94), new Rng(5));
    checkFieldVjp(f, 0.7, randomArray(4, new Rng(6), 0.3), p);
  });

  test('problem: adaptive bs3 with the I controller, MSE over the 500 × 4 grid with exact dYs', () => {
    const pb = doublePendulumProblem();
    const o = pb.solveOptions;
    assert.deepEqual([o.method, o.adaptive, o.rtol, o.atol, o.controller, o.stepSize, o.maxSteps], ['bs3', true, 1e-6, 1e-6, 'i', 2 / 499, 1000]);
    assert.equal(pb.training.steps, 10_000);
    // The true field through the training solve: close to the data (rtol 1e-6 on a chaotic system, 2 s).
    const run = solveWithGradient(doublePendulumField(1, 0.1), pb.y0, { ...o, params: Float64Array.from(DOUBLE_PENDULUM_PARAMS) });
    assert.equal(run.ys.length, 2000);
    assert.deepEqual(Array.from(run.y(0)), Array.from(pb.y0));
    const L = pb.loss(run.ys);
    assert.ok(L < 1e-6, `loss of the true field ${L}`);
    checkLossGrad(pb.loss, Float64Array.from(run.ys, (v, i) => v + 0.01 * Math.cos(i)));
    const params = pb.init(0);
    const r = solveWithGradient(pb.field, pb.y0, { ...o, params, gradient: 'direct' });
    const dYs = new Float64Array(r.ys.length);
    assert.ok(pb.loss(r.ys, dYs) > 0);
    assert.ok(r.backward(dYs).dParams.every(Number.isFinite));
  });
});
