import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { revDeq } from '../../src/deq/reversible.ts';
import type { DeqMap } from '../../src/deq/map.ts';
import { mapFromModel } from '../../src/deq/map.ts';
import { mlp } from '../../src/nn/chain.ts';
import { Rng } from '../../src/core/random.ts';
import { TideError } from '../../src/core/errors.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';

/** f(z, x) = a·tanh z + x, params = [a] (batched, zDim = xDim = 1). */
const scalar: DeqMap<{ z: Float64Array }> = {
  name: 'a·tanh z + x', zDim: 1, xDim: 1, paramCount: 1,
  workspace: (batch) => ({ z: new Float64Array(batch) }),
  apply(out, p, z, x, ws) { for (let i = 0; i < z.length; i++) { ws.z[i] = z[i]; out[i] = p[0] * Math.tanh(z[i]) + x[i]; } },
  vjp(dP, dZ, dX, dOut, p, ws) {
    for (let i = 0; i < dOut.length; i++) {
      const t = Math.tanh(ws.z[i]);
      if (dP !== null) dP[0] += dOut[i] * t;
      if (dZ !== null) dZ[i] = dOut[i] * p[0] * (1 - t * t);
      if (dX !== null) dX[i] = dOut[i];
    }
  },
};

/** Backprop through stored iterates: the same VJPs, without reconstruction. */
function storedGrad(map: DeqMap, params: Float64Array, x: Float64Array, beta: number, N: number, dZ: Float64Array) {
  const len = dZ.length, ws = map.workspace(len / map.zDim), ys = [new Float64Array(len)], zs = [new Float64Array(len)], f = new Float64Array(len), tmp = new Float64Array(len);
  for (let n = 0; n < N; n++) {
    map.apply(f, params, zs[n], x, ws);
    ys.push(ys[n].map((v, i) => (1 - beta) * v + beta * f[i]));
    map.apply(f, params, ys[n + 1], x, ws);
    zs.push(zs[n].map((v, i) => (1 - beta) * v + beta * f[i]));
  }
  const dP = new Float64Array(map.paramCount), dX = new Float64Array(x.length), tX = new Float64Array(x.length);
  const zb = Float64Array.from(dZ), yb = new Float64Array(len);
  for (let n = N - 1; n >= 0; n--) {
    map.apply(f, params, ys[n + 1], x, ws);
    map.vjp(dP, tmp, tX, zb.map((v) => beta * v), params, ws);
    for (let i = 0; i < len; i++) { yb[i] += tmp[i]; zb[i] *= 1 - beta; }
    tX.forEach((v, i) => { dX[i] += v; });
    map.apply(f, params, zs[n], x, ws);
    map.vjp(dP, tmp, tX, yb.map((v) => beta * v), params, ws);
    for (let i = 0; i < len; i++) { zb[i] += tmp[i]; yb[i] *= 1 - beta; }
    tX.forEach((v, i) => { dX[i] += v; });
  }
  return { dP, dX };
}

describe('RevDEQ: f(z) = a·tanh z + x, a = 0.5, x = 1, y₀ = z₀ = 0', () => {
  const a = new Float64Array([0.5]), x = new Float64Array([1]), one = new Float64Array([1]);
  const zStar = 1.4476095980899053;
  const table: [number, number, number, number, number][] = [
    [0.5, 4, 1.311523276084818, 0.834418532399146, 1.093414446931623],
    [0.5, 10, 1.444383074743631, 0.989616006470719, 1.112637420786900],
    [0.5, 30, NaN, 0.993905324723681, 1.110236899790313],
    [1.2, 10, 1.447609740933494, 0.993905527085957, 1.110236768016978],
  ];
  for (const [beta, n, zn, dA, dX] of table) {
    test(`β = ${beta}, n = ${n}: z_n, dz_n/da, dz_n/dx to the listed digits; = stored-iterate backprop to 1e-10; = central differences to 1e-9`, () => {
      const R = revDeq(scalar, { beta, maxIter: n, tol: 0 });
      const z = R.forward(x, a);
      if (!Number.isNaN(zn)) assert.ok(Math.abs(z[0] - zn) < 1e-14, `z_${n} = ${z[0]}`);
      const { dParams, dX: gx, report } = R.backward(one);
      assert.equal(report.iterations, n);
      assert.ok(Math.abs(dParams[0] - dA) < 1e-13, `dz/da ${dParams[0]}`);
      assert.ok(Math.abs(gx[0] - dX) < 1e-13, `dz/dx ${gx[0]}`);
      const ref = storedGrad(scalar, a, x, beta, n, one);
      assert.ok(Math.abs(ref.dP[0] - dParams[0]) < 1e-10 && Math.abs(ref.dX[0] - gx[0]) < 1e-10);
      const fd = (p: Float64Array, xx: Float64Array): number => revDeq(scalar, { beta, maxIter: n, tol: 0 }).forward(xx, p)[0];
      assert.ok(Math.abs(centralDiff((p) => fd(p, x), Float64Array.from(a))[0] - dA) < 1e-9);
      assert.ok(Math.abs(centralDiff((xx) => fd(a, xx), Float64Array.from(x))[0] - dX) < 1e-9);
    });
  }
  test('z* = 1.4476095980899053 and the implicit gradients are the n → ∞ limit; the bound αⁿ‖z*‖ holds for every iterate', () => {
    for (const beta of [0.5, 0.8, 1.2]) {
      const alpha = Math.abs(1 - beta) + beta * 0.5;
      for (let n = 1; n <= 30; n++) {
        const z = revDeq(scalar, { beta, maxIter: n, tol: 0 }).forward(x, a)[0];
        assert.ok(Math.abs(z - zStar) <= alpha ** n * zStar, `β = ${beta}, n = ${n}`);
      }
    }
    const R = revDeq(scalar, { beta: 1.2, maxIter: 40, tol: 0 });
    assert.ok(Math.abs(R.forward(x, a)[0] - zStar) < 1e-13);
    const g = R.backward(one);
    assert.ok(Math.abs(g.dParams[0] - 0.99390534542795) < 1e-12 && Math.abs(g.dX[0] - 1.1102368555871738) < 1e-12);
  });
  test('exact reversal: reconstruction error after n = 10, β = 0.5 below 1e-12; memory flat in n', () => {
    const R = revDeq(scalar, { beta: 0.5, maxIter: 10, tol: 0 });
    R.forward(x, a);
    const r10 = R.backward(one).report;
    assert.ok(r10.reconstructionError < 1e-12, `${r10.reconstructionError}`);
    const R2 = revDeq(scalar, { beta: 0.5, maxIter: 100, tol: 0 });
    R2.forward(x, a);
    assert.equal(R2.backward(one).report.peakBytes, r10.peakBytes);
  });
});

describe('RevDEQ on an mlp (batch 3): gradients equal stored-iterate backprop', () => {
  test('β = 0.8, n = 12: dθ, dx within 1e-10 of storing every (y_n, z_n); tol stops early', () => {
    const f = mlp([4 + 2, 8, 4]), p = new Float64Array(f.paramCount);
    f.init(p, new Rng(9));
    const map = mapFromModel(f, 4), x = new Float64Array([0.1, -0.5, 0.9, 0.3, -1, 0.2]);
    const dZ = new Float64Array(12).map((_, i) => Math.sin(i + 1));
    const R = revDeq(map, { beta: 0.8, maxIter: 12, tol: 0 });
    R.forward(x, p);
    const { dParams, dX, report } = R.backward(dZ);
    const ref = storedGrad(map, p, x, 0.8, 12, dZ);
    assert.ok(maxRelErr(dParams, ref.dP, 1) < 1e-10 && maxRelErr(dX, ref.dX, 1) < 1e-10);
    assert.equal(report.nfeForward, 25);
    const early = revDeq(map, { beta: 0.8, maxIter: 200, tol: 1e-8 });
    early.forward(x, p);
    const rep = early.backward(dZ).report;
    assert.ok(rep.converged && rep.iterations < 200);
  });
  test('β = 1 and β ≥ 2 are BAD_OPTION errors', () => {
    for (const beta of [1, 2, 0]) assert.throws(() => revDeq(scalar, { beta }), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION' && /beta/.test(e.message));
  });
});
