import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deq } from '../../src/deq/layer.ts';
import { anderson } from '../../src/deq/forward/anderson.ts';
import { implicit } from '../../src/deq/backward/implicit.ts';
import { chain, mlp } from '../../src/nn/chain.ts';
import { dense } from '../../src/nn/dense.ts';
import { adam } from '../../src/optim/adam.ts';
import { Rng } from '../../src/core/random.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';

describe('deq layer inside a chain', () => {
  const layer = deq(mlp([4 + 3, 8, 4], { activation: 'tanh' }), { solver: anderson({ tol: 1e-12, ridge: 'relative', maxIter: 100 }), backward: implicit() });
  const net = chain(dense(1, 3), layer, dense(4, 1));
  const params = new Float64Array(net.paramCount);
  net.init(params, new Rng(11));
  const B = 16, xs = new Float64Array(B), ys = new Float64Array(B);
  for (let i = 0; i < B; i++) { xs[i] = -2 + 4 * i / (B - 1); ys[i] = Math.sin(1.5 * xs[i]); }
  const ws = net.workspace(B), out = new Float64Array(B), dOut = new Float64Array(B), grads = new Float64Array(net.paramCount);
  const lossAt = (p: Float64Array): number => {
    net.apply(out, p, xs, ws);
    let L = 0;
    for (let i = 0; i < B; i++) { const r = out[i] - ys[i]; L += r * r / B; dOut[i] = 2 * r / B; }
    return L;
  };
  test('chain gradient through the DEQ matches central differences', () => {
    const p = Float64Array.from(params);
    lossAt(p);
    grads.fill(0);
    net.vjp(grads, null, dOut, p, xs, ws);
    assert.ok(maxRelErr(grads, centralDiff(lossAt, p)) < 1e-6);
  });
  test('trains with adam: the loss falls by 10× in 150 steps', () => {
    const p = Float64Array.from(params), opt = adam({ lr: 1e-2 });
    const L0 = lossAt(p);
    let L = L0;
    for (let s = 0; s < 150; s++) {
      L = lossAt(p);
      grads.fill(0);
      net.vjp(grads, null, dOut, p, xs, ws);
      opt.step(p, grads);
    }
    assert.ok(L < L0 / 10, `loss ${L0} → ${L}`);
    assert.ok(layer.stats!.converged);
  });
});

describe('public API', () => {
  test("the package root exports the 'deq' namespace", async () => {
    const tide = await import('../../src/index.ts');
    assert.equal(typeof tide.deq.layer, 'function');
    assert.equal(typeof tide.deq.anderson, 'function');
    assert.equal(typeof tide.deq.revDeq, 'function');
    const L = tide.deq.layer(tide.mlp([5, 8, 3]), { solver: tide.deq.broyden(), backward: tide.deq.jfb() });
    assert.equal(L.inDim, 2);
  });
});
