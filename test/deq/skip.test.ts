import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { o1, X1 } from './problems.ts';
import { skipDeq, skipRegDeq } from '../../src/deq/skip.ts';
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
