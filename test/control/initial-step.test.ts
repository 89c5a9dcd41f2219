/** Automatic initial steps (Hairer, Nørsett & Wanner I, §II.4; rtol 1e-3, atol 1e-6) against independently computed values to 1e-14 relative, and the clamps. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectInitialStep } from '../../src/control/initial-step.ts';
import { fieldFromFunction, type VectorField } from '../../src/core/field.ts';
import { P1, P2, P3, assertRel } from '../fixtures/problems.ts';

const P = new Float64Array(0);
function h0(field: VectorField, t0: number, t1: number, y0: Float64Array, p: number, opts = {}): number {
  const f0 = new Float64Array(y0.length);
  field.eval(f0, t0, y0, P);
  return selectInitialStep(field, t0, t1, y0, f0, P, p, 1e-3, 1e-6, opts);
}

test('initial steps: P1, P2, P3 for p = 5 and p = 3', () => {
  const want: [typeof P1, number, number][] = [
    [P1, 5, 0.10001999200479661], [P1, 3, 0.0215515259567983],
    [P2, 5, 0.0009990009990009992], [P2, 3, 0.0009990009990009992],
    [P3, 5, 0.06850411260964803], [P3, 3, 0.011469057802772731],
  ];
  for (const [prob, p, h] of want) assertRel(h0(prob.field, prob.t0, prob.t1, prob.y0, p), h, 1e-14, `${prob.name} p=${p}`);
});

test('the initial step is signed by the direction, clamped by |t1 − t0| and maxStep, and costs one evaluation', () => {
  let calls = 0;
  const f = fieldFromFunction((o, _t, y) => { calls++; o[0] = -y[0]; }, 1);
  const y0 = Float64Array.of(1);
  const f0 = Float64Array.of(-1);
  assertRel(selectInitialStep(f, 10, 0, y0, f0, P, 5, 1e-3, 1e-6), -0.10001999200479661, 1e-14, 'backward');
  assert.equal(calls, 1);
  assert.equal(selectInitialStep(f, 0, 0.05, y0, f0, P, 5, 1e-3, 1e-6), 0.05);
  assert.equal(selectInitialStep(f, 0, 10, y0, f0, P, 5, 1e-3, 1e-6, { maxStep: 0.01 }), 0.01);
  assert.equal(selectInitialStep(f, 3, 3, y0, f0, P, 5, 1e-3, 1e-6), 0);
});

test('zero state and zero derivative fall back to h0 = 1e-6 and h1 = max(1e-6, 1e-3 h0)', () => {
  const zero = fieldFromFunction((o) => { o[0] = 0; }, 1);
  // d0 = d1 = 0 → h0 = 1e-6; d1 = d2 = 0 → h1 = 1e-6; h = min(100 h0, h1) = 1e-6.
  assert.equal(h0(zero, 0, 1, Float64Array.of(0), 5), 1e-6);
});
