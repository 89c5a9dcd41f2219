// The README's examples, run as written (so the README stays true).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlp, Rng, fieldFromModel, solve, valueAndGradient, fieldFromTrace, ops } from '../src/index.ts';

test('README: a first solve and gradient', () => {
  const net = mlp([2, 50, 2], { activation: 'tanh' });
  const params = new Float64Array(net.paramCount);
  net.init(params, new Rng(0));
  const field = fieldFromModel(net, 16);
  const y0 = new Rng(1).fillNormal(new Float64Array(32));
  const sol = solve(field, y0, { t1: 5, params, method: 'dopri5', rtol: 1e-7, atol: 1e-9 });
  assert.equal(sol.status, 'success');
  const { loss, dParams, report } = valueAndGradient(
    (ys, dYs) => { let L = 0; ys.forEach((v, i) => { L += v * v; dYs[i] = 2 * v; }); return L; },
    field, y0, { t1: 5, saveAt: { ts: [1, 2, 5] }, params, method: 'dopri5', gradient: 'reversible' },
  );
  assert.ok(Number.isFinite(loss) && dParams.length === net.paramCount && report.steps > 0);
});

test('README: a hybrid field', () => {
  const net = mlp([2, 50, 2], { activation: 'tanh' });
  const hybrid = fieldFromTrace((t, y, p) =>
    ops.add(ops.mul(ops.neg(ops.at(p, 0)), y), ops.model(net, ops.slice(p, 1, net.paramCount), y)),
  { shape: [16, 2], paramCount: 1 + net.paramCount });
  assert.equal(hybrid.dim, 32);
});
