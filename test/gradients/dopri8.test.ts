/** Discrete gradients through dopri8's 7th-order dense output (its 3 extra stages are pulled back through the field). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveWithGradient, solve, checkpoint } from '../../src/index.ts';
import { centralDiff, maxRelErr, vecRelErr } from '../oracles/finite-diff.ts';
import { forcedOscillator, neuralSpiral } from './problems.ts';

const field = forcedOscillator(), params = new Float64Array([2.0, 0.3, 0.7]), y0 = new Float64Array([1, -0.5]);
const L = (ys: Float64Array): number => ys.reduce((s, v, i) => s + Math.sin(i + 1) * v + 0.5 * v * v, 0);

for (const gradient of ['direct', 'checkpoint', 'revolve'] as const) {
  for (const [label, o] of [['forward', { t1: 3, saveAt: { ts: [0.33, 1.17, 2.2, 3] } }], ['t1 < t0', { t0: 3, t1: 0, saveAt: { ts: [2.5, 1.1, 0.05] } }]] as const) {
    test(`dopri8, fixed steps, saves inside steps, ${gradient}, ${label}: matches central differences`, () => {
      const opts = { ...o, method: 'dopri8', adaptive: false, stepSize: 0.1 };
      const g = gradient === 'direct' ? 'direct' : checkpoint({ slots: 3, schedule: gradient === 'revolve' ? 'revolve' : 'online' });
      const sol = solveWithGradient(field, y0, { ...opts, params, gradient: g });
      const r = sol.backward(sol.ys.map((v, i) => Math.sin(i + 1) + v));
      assert.ok(maxRelErr(r.dParams, centralDiff((p) => L(solve(field, y0, { ...opts, params: p }).ys), params)) < 1e-7);
      assert.ok(maxRelErr(r.dY0, centralDiff((y) => L(solve(field, y, { ...opts, params }).ys), y0)) < 1e-7);
    });
  }
}

test('dopri8 adaptive with many saves: direct agrees with the tight continuous gradient', () => {
  const { field: f, params: p } = neuralSpiral(2, 16, 2);
  const y = new Float64Array([2, 0, 0.5, 1]);
  const o = { t1: 3, params: p, saveAt: { ts: [0.4, 1.1, 1.9, 2.6, 3] } } as const;
  const dYs = Float64Array.from({ length: 20 }, (_, i) => Math.cos(i));
  const ref = solveWithGradient(f, y, { ...o, method: 'dopri5', rtol: 1e-13, atol: 1e-13 }).backward(dYs);
  const r = solveWithGradient(f, y, { ...o, method: 'dopri8', rtol: 1e-10, atol: 1e-10 }).backward(dYs);
  assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-8, `${vecRelErr(r.dParams, ref.dParams)}`);
});
