/**
 * Reversible solves that bound their own error: long horizons where the exact inverse's round-off grows like ε·λ^−N.
 * With re-anchoring (the default) the gradient equals stored-state backprop through the same scheme; with it off, a
 * drift beyond the tolerance is a TideError('RECONSTRUCTION') that names λ, N and the fix, never a silent difference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solveWithGradient, fieldFromTrace, ops, reversible, coupledSolver, tableaus, prepareSolve, mlp, fieldFromModel, Rng } from '../../src/index.ts';
import { vecRelErr } from '../oracles/finite-diff.ts';
import { throwsTide } from '../oracles/throws.ts';

const pend = fieldFromTrace((_t, y, p) => ops.concat([ops.slice(y, 1, 1), ops.mul(ops.neg(ops.at(p, 0)), ops.sin(ops.slice(y, 0, 1)))]),
  { shape: [2], paramCount: 1, name: 'pendulum' });
const k = Float64Array.of(1), y0 = Float64Array.of(1, 0);
const dYs = Float64Array.of(1, 1);

const cases: Array<[number, number, string]> = [[0.999, 100_000, 'rk4'], [0.99, 10_000, 'rk4'], [0.9, 400, 'midpoint'], [0.5, 2000, 'midpoint']];
for (const [lambda, N, base] of cases) {
  test(`pendulum, ${base}, λ = ${lambda}, ${N} steps: re-anchored reversible gradient = stored-state backprop (1e-8); without anchors a clear error`, () => {
    const o = { t1: N * 1e-3, stepSize: 1e-3, method: coupledSolver(tableaus[base], { lambda }), params: k, saveAt: { t1: true } };
    const ref = solveWithGradient(pend, y0, { ...o, gradient: 'direct' }).backward(dYs);
    const r = solveWithGradient(pend, y0, { ...o, gradient: reversible() }).backward(dYs);
    assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-8, `dParams ${vecRelErr(r.dParams, ref.dParams)}`);
    assert.ok(vecRelErr(r.dY0, ref.dY0) < 1e-8, `dY0 ${vecRelErr(r.dY0, ref.dY0)}`);
    assert.ok((r.report.anchors as number) >= 1 && (r.report.anchors as number) < N / 4, `anchors ${r.report.anchors}`);
    throwsTide(() => solveWithGradient(pend, y0, { ...o, gradient: reversible({ anchorEvery: 0 }) }).backward(dYs), 'RECONSTRUCTION',
      new RegExp(`λ = ${lambda}.*anchorEvery`));
  });
}

test('a too-long segment is redone by stored-state backprop: the gradient equals direct exactly', () => {
  const o = { t1: 10, stepSize: 1e-3, method: coupledSolver(tableaus.rk4, { lambda: 0.99 }), params: k, saveAt: { ts: [2.5, 5, 10] } };
  const g = Float64Array.of(1, 1, 0.5, 0, 1, 1);
  const ref = solveWithGradient(pend, y0, { ...o, gradient: 'direct' }).backward(g);
  const r = solveWithGradient(pend, y0, { ...o, gradient: reversible({ anchorEvery: 5000 }) }).backward(g);
  assert.equal(r.report.segmentsRedone, 2);
  assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-13 && vecRelErr(r.dY0, ref.dY0) < 1e-13);
});

test('tanh-MLP field, λ = 0.9, 20 000 midpoint steps: prepared runs keep matching backprop', () => {
  const net = mlp([2, 8, 2], { activation: 'tanh' });
  const params = new Float64Array(net.paramCount); net.init(params, new Rng(3));
  const field = fieldFromModel(net, 1);
  const o = { t1: 20, stepSize: 1e-3, params, saveAt: { ts: [5, 20] } };
  const g = Float64Array.of(1, -1, 0.5, 2);
  const ref = solveWithGradient(field, Float64Array.of(0.5, -0.3), { ...o, method: coupledSolver(tableaus.midpoint, { lambda: 0.9 }), gradient: 'direct' }).backward(g);
  const pre = prepareSolve(field, { ...o, method: 'midpoint', gradient: reversible({ lambda: 0.9 }) });
  for (let run = 0; run < 2; run++) {
    const r = pre.run(Float64Array.of(0.5, -0.3)).backward(g);
    assert.ok(vecRelErr(r.dParams, ref.dParams) < 1e-8, `run ${run}: ${vecRelErr(r.dParams, ref.dParams)}`);
  }
});

test('bad re-anchoring options', () => {
  throwsTide(() => reversible({ anchorEvery: -3 }), 'BAD_OPTION', /anchorEvery must be 'auto', 0 \(off\) or a positive integer/);
  throwsTide(() => reversible({ tolerance: 0 }), 'BAD_OPTION', /tolerance must be a number > 0/);
});
