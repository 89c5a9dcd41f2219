import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { solve, solveWithGradient, Rng } from '../../src/index.ts';
import {
  coupledOscillatorField, coupledOscillatorData, coupledOscillatorModel, coupledOscillatorProblem, COUPLED_OSCILLATOR_Y0,
} from '../../src/problems/index.ts';
import { randomArray } from '../oracles/finite-diff.ts';
import { assertClose, checkFieldVjp, checkLossGrad } from './check.ts';

describe('coupled oscillator, offline substitute of the Schmidt & Lipson 2009 data (McCallum & Foster 2024, experiment 2)', () => {
  test('reference values at t = 1, 2, 3 (1e-5)', () => {
    const sol = solve(coupledOscillatorField(), Float64Array.from(COUPLED_OSCILLATOR_Y0), {
      t0: 0, t1: 3, method: 'dopri5', rtol: 1e-12, atol: 1e-12, saveAt: { ts: [1, 2, 3] },
    });
    assertClose(sol.ys, [
      0.961535, -0.278551, 2.475448, 1.014805,
      0.926964, -0.167618, -1.558151, -1.26059,
      -0.050274, -1.402958, -1.000974, 0.332846,
    ], 1e-5, 'y(t)');
  });

  test('data: grid rows 1 … 499 of 500 points on [0, 3], y0 = row 0, last row = y(3)', () => {
    const d = coupledOscillatorData();
    assert.equal(d.ts.length, 499);
    assert.equal(d.ys.length, 499 * 4);
    assert.deepEqual(Array.from(d.y0), [0, -1.42, -0.44, 0]);
    assert.equal(d.ts[0], 3 / 499);
    assert.equal(d.ts[498], 3);
    assertClose(d.ys.subarray(498 * 4), [-0.050274, -1.402958, -1.000974, 0.332846], 1e-5, 'row 499');
  });

  test('true field VJP matches central differences', () => {
    checkFieldVjp(coupledOscillatorField(), 0.4, Float64Array.of(0.3, -1.1, 2.0, 0.7), new Float64Array(0));
  });

  test('model: 94 parameters, autonomous MLP 4 → 10 → tanh → 4, VJP matches central differences', () => {
    const f = coupledOscillatorModel();
    assert.equal(f.paramCount, 94);
    const p = f.init(new Float64Array(94), new Rng(2));
    checkFieldVjp(f, 1.1, Float64Array.of(0.3, -1.1, 2.0, 0.7), p);
    checkFieldVjp(coupledOscillatorModel(2), 0, randomArray(8, new Rng(4)), p);
  });

  test('problem: 499 fixed midpoint steps landing on the data times, MSE loss over 499 × 4 with exact dYs', () => {
    const pb = coupledOscillatorProblem({ trainingSteps: 50 });
    assert.deepEqual(pb.training, { optimizer: 'adamw', lr: 1e-2, weightDecay: 1e-5, steps: 50 });
    assert.equal(coupledOscillatorProblem().training.steps, 10_000);
    assert.equal(pb.solveOptions.method, 'midpoint');
    const run = solveWithGradient(coupledOscillatorField(), pb.y0, { ...pb.solveOptions, gradient: 'direct' });
    assert.equal(run.stats.nAccepted, 499);
    const steps = solve(coupledOscillatorField(), pb.y0, { t0: 0, t1: 3, method: 'midpoint', stepSize: pb.solveOptions.stepSize, saveAt: { steps: true } });
    assertClose(steps.ts, pb.data.ts, 0, 'step times = data times');
    // Midpoint at h = 3/499 is close to, not equal to, the tight solution.
    const L = pb.loss(run.ys);
    assert.ok(L > 0 && L < 1e-3, `loss of the true field ${L}`);
    checkLossGrad(pb.loss, Float64Array.from(run.ys));
    const params = pb.init(0);
    const r = solveWithGradient(pb.field, pb.y0, { ...pb.solveOptions, params, gradient: 'direct' });
    const dYs = new Float64Array(r.ys.length);
    assert.ok(Number.isFinite(pb.loss(r.ys, dYs)));
    assert.ok(r.backward(dYs).dParams.every(Number.isFinite));
  });
});
