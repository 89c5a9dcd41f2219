/** NaN/Inf in the backward pass: every method names where it appeared (step, time, quantity). */
import { test } from 'node:test';
import { solveWithGradient, fieldFromTrace, ops } from '../../src/index.ts';
import { throwsTide } from '../oracles/throws.ts';

// f = p·√y at y0 = 0: the forward stays at y = 0 (f = 0), and the VJP ∂f/∂y = p/(2√y) is infinite at every step.
const sqrtField = fieldFromTrace((_t, y, p) => ops.mul(ops.at(p, 0), ops.sqrt(y)), { shape: [1], paramCount: 1, name: 'p·√y' });
const o = { t1: 1, params: Float64Array.of(1), method: 'rk4', stepSize: 0.1 } as const;

for (const gradient of ['direct', 'checkpoint', 'revolve']) {
  test(`${gradient}: a VJP that turns Inf at y = 0 is reported with the backward step and its time`, () => {
    const sol = solveWithGradient(sqrtField, Float64Array.of(0), { ...o, gradient });
    throwsTide(() => sol.backward(Float64Array.of(0, 1)), 'NONFINITE', /adjoint state \(∂L\/∂state\) became non-finite.*VJP of f.*at backward step 1 of 10 \(the forward step from t = 0\.9 to 1\)/);
  });
}
test('reversible: reported at its segment', () => {
  const sol = solveWithGradient(sqrtField, Float64Array.of(0), { ...o, gradient: 'reversible' });
  throwsTide(() => sol.backward(Float64Array.of(0, 1)), 'NONFINITE', /became non-finite.*backward step 10 of 10/);
});
for (const gradient of ['backsolve', 'interpolated', 'quadrature']) {
  test(`${gradient}: the backward adjoint solve names its interval and keeps the loop's error as cause`, () => {
    const sol = solveWithGradient(sqrtField, Float64Array.of(0), { ...o, gradient });
    throwsTide(() => sol.backward(Float64Array.of(0, 1)), 'NONFINITE', /backward (state-)?adjoint solve from t = 1 to 0/);
  });
}

test('a field whose VJP turns NaN for t > 0.5 (time-dependent failure): direct names a step after t = 0.5', () => {
  const f = fieldFromTrace((t, y, p) => ops.mul(ops.at(p, 0), ops.mul(y, ops.log(ops.shift(ops.neg(t), 0.5)))), { shape: [1], paramCount: 1 });
  // log(0.5 − t) is NaN past t = 0.5; stop the forward at 0.5 with fixed steps that end there, then ask for t1 = 0.55.
  const sol = solveWithGradient(f, Float64Array.of(1), { t1: 0.45, params: Float64Array.of(0.1), method: 'euler', stepSize: 0.05, gradient: 'direct' });
  sol.backward(Float64Array.of(0, 1));
  throwsTide(() => solveWithGradient(f, Float64Array.of(1), { t1: 0.6, params: Float64Array.of(0.1), method: 'euler', stepSize: 0.05, gradient: 'direct' }), 'NONFINITE', /t = 0\.55|t = 0\.5/);
});
