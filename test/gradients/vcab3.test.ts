/** VCAB3's discrete adjoint (direct): fixed steps against central differences; checkpointing refused with the fix. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveWithGradient, solve } from '../../src/index.ts';
import { centralDiff, maxRelErr, vecRelErr } from '../oracles/finite-diff.ts';
import { forcedOscillator, neuralSpiral } from './problems.ts';
import { throwsTide } from '../oracles/throws.ts';

const field = forcedOscillator(), params = new Float64Array([2.0, 0.3, 0.7]), y0 = new Float64Array([1, -0.5]);
const L = (ys: Float64Array): number => ys.reduce((s, v, i) => s + Math.sin(i + 1) * v + 0.5 * v * v, 0);
const cases: Array<[string, { t0?: number; t1: number; saveAt: { ts: number[] }; tstops?: number[] }]> = [
  ['saves inside steps', { t1: 3, saveAt: { ts: [0.3, 1.1, 2.2, 3] } }],
  ['a tstop (restart with BS3)', { t1: 3, saveAt: { ts: [0.3, 1.1, 2.2, 3] }, tstops: [1.5] }],
  ['backward in time', { t0: 3, t1: 0, saveAt: { ts: [2.5, 1.1, 0] } }],
  ['saves on the step grid', { t1: 2.1, saveAt: { ts: [0.7, 1.4, 2.1] } }],
];
for (const [label, o] of cases) {
  test(`vcab3 direct, fixed steps, ${label}: dParams and dY0 match central differences`, () => {
    const opts = { ...o, method: 'vcab3', adaptive: false, stepSize: 0.07 };
    const sol = solveWithGradient(field, y0, { ...opts, params, gradient: 'direct' });
    const g = sol.backward(sol.ys.map((v, i) => Math.sin(i + 1) + v));
    const fdP = centralDiff((p) => L(solve(field, y0, { ...opts, params: p }).ys), params);
    const fdY = centralDiff((y) => L(solve(field, y, { ...opts, params }).ys), y0);
    assert.ok(maxRelErr(g.dParams, fdP) < 1e-7, `dParams ${maxRelErr(g.dParams, fdP)}`);
    assert.ok(maxRelErr(g.dY0, fdY) < 1e-6, `dY0 ${maxRelErr(g.dY0, fdY)}`);
  });
}

test('vcab3 direct, adaptive: close to the tight continuous gradient; checkpointing is refused with the fix', () => {
  const { field: f, params: p } = neuralSpiral(2, 12, 1);
  const y = new Float64Array([2, 0, 0.5, 1]);
  const o = { t1: 2, params: p, saveAt: { ts: [0.5, 1, 2] } } as const;
  const dYs = Float64Array.from({ length: 12 }, (_, i) => Math.cos(i));
  const ref = solveWithGradient(f, y, { ...o, method: 'dopri5', rtol: 1e-12, atol: 1e-12 }).backward(dYs);
  const g = solveWithGradient(f, y, { ...o, method: 'vcab3', rtol: 1e-8, atol: 1e-8 }).backward(dYs);
  assert.ok(vecRelErr(g.dParams, ref.dParams) < 1e-5, `${vecRelErr(g.dParams, ref.dParams)}`);
  throwsTide(() => solveWithGradient(f, y, { ...o, method: 'vcab3', gradient: 'checkpoint' }), 'BAD_OPTION', /cannot be restarted from a stored state.*'direct', 'backsolve' or 'interpolated'/);
});
