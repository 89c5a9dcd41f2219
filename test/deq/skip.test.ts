import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { o1, X1 } from './problems.ts';
import { skipDeq, skipRegDeq, skipDeqModel } from '../../src/deq/skip.ts';
import { chain } from '../../src/nn/chain.ts';
import { deq } from '../../src/deq/layer.ts';
import { broyden } from '../../src/deq/forward/broyden.ts';
import { dense } from '../../src/nn/dense.ts';
import { Rng } from '../../src/core/random.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';

const ONES = new Float64Array([1, 1, 1]);

describe('Skip Reg. DEQ and Skip DEQ on O1', () => {
  const { model, params } = o1();
  test('O6: z₀ = f(0) = tanh(x); L_skip_reg/λ_skip = mean|z* − tanh(x)|', () => {
    const S = skipRegDeq(model, { solver: broyden({ tol: 1e-13 }) });
    const { z, auxLoss } = S.forward(X1, params);
    let m = 0;
    for (let i = 0; i < 3; i++) m += Math.abs(z[i] - Math.tanh(X1[i])) / 3;
    assert.ok(Math.abs(auxLoss / 0.01 - m) < 1e-12, `${auxLoss / 0.01} vs ${m}`);
  });
  test('gradient = implicit gradient of ℓ + the auxiliary gradient (central differences with z* held fixed)', () => {
    const S = skipRegDeq(model, { solver: broyden({ tol: 1e-13 }), lambdaSkip: 0.5 });
    const { z } = S.forward(X1, params);
    const zFix = Float64Array.from(z);
    const aux = (p: Float64Array, x: Float64Array): number => {
      const ws = S.layer.map.workspace(1), a = new Float64Array(3), b = new Float64Array(3);
      S.layer.map.apply(a, p, zFix, x, ws); S.layer.map.apply(b, p, new Float64Array(3), x, ws);
      let s = 0;
      for (let i = 0; i < 3; i++) s += Math.abs(a[i] - b[i]) / 3;
      return 0.5 * s;
    };
    const { dParams, dX } = S.backward(ONES);
    const plain = deq(model, { solver: broyden({ tol: 1e-13 }) });
    plain.forward(X1, params);
    const g = plain.backward(ONES);
    const fdP = centralDiff((p) => aux(p, X1), params), fdX = centralDiff((x) => aux(params, x), Float64Array.from(X1));
    assert.ok(maxRelErr(dParams, g.dParams.map((v, i) => v + fdP[i])) < 1e-7);
    assert.ok(maxRelErr(dX, g.dX.map((v, i) => v + fdX[i])) < 1e-7);
  });
  test('Skip DEQ: φ gets only the auxiliary gradient; a g that predicts z* cuts the iterations', () => {
    const g = dense(3, 3);
    const S = skipDeq(model, g, { solver: broyden({ tol: 1e-10 }) });
    const p = new Float64Array(S.paramCount);
    p.set(params);
    g.init(p.subarray(params.length), new Rng(2));
    const far = S.forward(X1, p).stats.nfe;
    // φ: weight 0, bias = z*: the initial guess is the fixed point.
    const phi = p.subarray(params.length);
    phi.fill(0);
    phi.set([0.709945552042119, -0.856479778285469, 0.027944543014865], 9);
    const near = S.forward(X1, p);
    assert.ok(near.stats.nfe < far, `${near.stats.nfe} vs ${far}`);
    g.init(phi, new Rng(2));
    const { z } = S.forward(X1, p);
    const zFix = Float64Array.from(z), ws = g.workspace(1), o = new Float64Array(3);
    const auxPhi = (ph: Float64Array): number => { g.apply(o, ph, X1, ws); let s = 0; for (let i = 0; i < 3; i++) s += Math.abs(zFix[i] - o[i]) / 3; return 0.01 * s; };
    const { dParams } = S.backward(new Float64Array(3));
    assert.ok(maxRelErr(dParams.subarray(params.length), centralDiff(auxPhi, Float64Array.from(phi))) < 1e-6);
  });
});

describe('skipDeqModel: a Skip DEQ as a Model between dense layers', () => {
  const { model, params } = o1();
  for (const kind of ['skip', 'skipReg'] as const) {
    test(`${kind}: chain(dense, skipDeqModel, dense) = the hand-composed forward and gradient of ℓ + L_skip`, () => {
      const mk = () => kind === 'skip'
        ? skipDeq(model, dense(3, 3, { activation: 'tanh' }), { solver: broyden({ tol: 1e-12 }), lambdaSkip: 0.3 })
        : skipRegDeq(model, { solver: broyden({ tol: 1e-12 }), lambdaSkip: 0.3 });
      const S = mk(), M = skipDeqModel(S), d1 = dense(2, 3), d2 = dense(3, 2);
      const net = chain(d1, M, d2);
      assert.equal(M.inDim, 3); assert.equal(M.outDim, 3); assert.equal(M.paramCount, S.paramCount);
      const p = new Float64Array(net.paramCount);
      net.init(p, new Rng(5));
      p.set(params, d1.paramCount); // θ = O1's (contractive) map; φ from init
      const B = 2, x = new Float64Array([0.3, -0.7, 1.1, 0.2]), ws = net.workspace(B);
      const out = new Float64Array(B * 2), dOut = new Float64Array([1, -0.5, 0.25, 2]);
      net.apply(out, p, x, ws);
      const grads = new Float64Array(p.length), dx = new Float64Array(x.length);
      net.vjp(grads, dx, dOut, p, x, ws);
      assert.ok(M.auxLoss > 0 && M.stats !== null && M.stats.converged);
      // By hand with a second, identical SkipDeq.
      const S2 = mk(), n1 = d1.paramCount, n2 = S2.paramCount;
      const p1 = p.subarray(0, n1), pS = p.subarray(n1, n1 + n2), p2 = p.subarray(n1 + n2);
      const w1 = d1.workspace(B), w2 = d2.workspace(B), h = new Float64Array(B * 3), o = new Float64Array(B * 2);
      d1.apply(h, p1, x, w1);
      const { z, auxLoss } = S2.forward(h, pS);
      d2.apply(o, p2, z, w2);
      assert.ok(maxRelErr(out, o) < 1e-14);
      assert.ok(Math.abs(auxLoss - M.auxLoss) < 1e-15);
      const g = new Float64Array(p.length), dz = new Float64Array(B * 3), dxh = new Float64Array(x.length);
      d2.vjp(g.subarray(n1 + n2), dz, dOut, p2, z, w2);
      const b = S2.backward(dz);
      g.subarray(n1, n1 + n2).set(b.dParams);
      d1.vjp(g.subarray(0, n1), dxh, b.dX, p1, x, w1);
      assert.ok(maxRelErr(grads, g) < 1e-12);
      assert.ok(maxRelErr(dx, dxh) < 1e-12);
    });
  }
  test('rejects what is not a SkipDeq', () => {
    assert.throws(() => skipDeqModel({} as never), /expected a SkipDeq/);
  });
});
