import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { o1, linear, X1 } from './problems.ts';
import { deq } from '../../src/deq/layer.ts';
import type { DeqBackward } from '../../src/deq/backward/method.ts';
import { implicit } from '../../src/deq/backward/implicit.ts';
import { jfb, phantom } from '../../src/deq/backward/jfb.ts';
import { unrolled } from '../../src/deq/backward/unrolled.ts';
import { gmres, gmresWorkspace, resolveGmres } from '../../src/deq/backward/gmres.ts';
import { broyden } from '../../src/deq/forward/broyden.ts';
import { anderson } from '../../src/deq/forward/anderson.ts';
import { fixedPoint } from '../../src/deq/forward/fixed-point.ts';
import { mlp } from '../../src/nn/chain.ts';
import { mapFromModel } from '../../src/deq/map.ts';
import { Rng } from '../../src/core/random.ts';
import { TideError } from '../../src/core/errors.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';

const ONES = new Float64Array([1, 1, 1]);
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what: string): void => {
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

describe('O1 gradients: ℓ = Σ z*, f(z) = tanh(Wz + x)', () => {
  const { model, params } = o1();
  const dXref = [0.461643413724612, 0.306231382505161, 1.191704500380185];
  const dWrow1 = [0.327741688203328, -0.395388248633803, 0.012900414232357];
  const cases: [DeqBackward, number][] = [[implicit(), 1e-13], [implicit({ solver: 'broyden' }), 1e-12],
    [implicit({ solver: 'fixed-point', tol: 1e-13 }), 1e-12], [implicit({ solver: 'anderson' }), 1e-9], [phantom({ k: 40 }), 1e-13]];
  for (const [b, tol] of cases) {
    test(`${b.name}: dℓ/dx and row 1 of dℓ/dW to ${tol}`, () => {
      const L = deq(model, { solver: broyden({ tol: 1e-13 }), backward: b });
      L.forward(X1, params);
      const { dParams, dX, report } = L.backward(ONES);
      close(dX, dXref, tol, 'dℓ/dx');
      close(dParams.subarray(0, 3), dWrow1, tol, 'dℓ/dW row 1');
      assert.ok(report.vjpBackward >= 1 && report.peakBytes > 0);
    });
  }
  test('GMRES solves the 3×3 adjoint system in ≤ 3 iterations, λ = (I − Jᵀ)⁻¹·1 as the oracle', () => {
    const L = deq(model, { solver: broyden({ tol: 1e-13 }) });
    L.forward(X1, params);
    const { report } = L.backward(ONES);
    assert.ok(report.backwardSteps <= 3 && report.backwardConverged, `${report.backwardSteps}`);
    assert.equal(report.backwardHistory.length, report.backwardSteps + 1);
    // dℓ/db = diag(1 − z*²)λ (bias block) recovers λ.
    const { dParams } = L.backward(ONES), z = L.forward(X1, params);
    const lam = [0.930775262291863, 1.149334320295161, 1.19263582669695];
    for (let i = 0; i < 3; i++) assert.ok(Math.abs(dParams[18 + i] / (1 - z[i] * z[i]) - lam[i]) < 1e-12);
  });
  test('JFB: dℓ/dx = 1 − z*²; phantom({ k: 0 }) is JFB; phantom error falls like ρ(J)^{k+1}', () => {
    const L = deq(model, { solver: broyden({ tol: 1e-13 }), backward: jfb() });
    L.forward(X1, params);
    close(L.backward(ONES).dX, [0.495977313135612, 0.266442389388075, 0.99921910251569], 1e-14, 'jfb dℓ/dx');
    const P0 = deq(model, { solver: broyden({ tol: 1e-13 }), backward: phantom({ k: 0 }) });
    P0.forward(X1, params);
    close(P0.backward(ONES).dX, [0.495977313135612, 0.266442389388075, 0.99921910251569], 1e-14, 'phantom k=0');
    let prev = Infinity;
    for (const k of [1, 3, 6, 10]) {
      const P = deq(model, { solver: broyden({ tol: 1e-13 }), backward: phantom({ k }) });
      P.forward(X1, params);
      const e = Math.max(...Array.from(P.backward(ONES).dX, (v, i) => Math.abs(v - dXref[i])));
      assert.ok(e < prev && e < 3 * 0.2415 ** (k + 1), `k = ${k}: ${e}`);
      prev = e;
    }
  });
});

describe('O4: GMRES', () => {
  const rng = new Rng(7);
  const dense = (A: Float64Array, n: number) => ({ apply(out: Float64Array, v: Readonly<Float64Array>) { for (let i = 0; i < n; i++) { let s = 0; for (let j = 0; j < n; j++) s += A[i * n + j] * v[j]; out[i] = s; } } });
  test('no restart: ≤ 1e-12 relative residual in ≤ n iterations (SPD and nonsymmetric, n = 12)', () => {
    const n = 12;
    for (const spd of [true, false]) {
      const M = new Float64Array(n * n).map(() => rng.normal());
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (spd) { let s = 0; for (let k = 0; k < n; k++) s += M[k * n + i] * M[k * n + j]; A[i * n + j] = s + (i === j ? 1 : 0); } else A[i * n + j] = M[i * n + j] + (i === j ? 4 : 0);
      }
      const b = new Float64Array(n).map(() => rng.normal()), x = new Float64Array(n);
      const o = resolveGmres('t', { rtol: 1e-12, restart: n, maxIter: n });
      const s = gmres(x, dense(A, n), b, o, gmresWorkspace(n, o));
      assert.ok(s.converged && s.iterations <= n && s.residual <= 1e-12 * s.bNorm, `spd ${spd}: ${s.iterations} its, ${s.residual / s.bNorm}`);
    }
  });
  test('restarted GMRES(3): residual norms never increase; non-convergence is reported with the residual reached', () => {
    const n = 20, A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = (i === j ? 2 : 0) + 0.3 * rng.normal();
    const b = new Float64Array(n).map(() => rng.normal()), x = new Float64Array(n);
    const o = resolveGmres('t', { rtol: 1e-14, restart: 3, maxIter: 30 });
    const s = gmres(x, dense(A, n), b, o, gmresWorkspace(n, o));
    for (let i = 1; i < s.residualHistory.length; i++) assert.ok(s.residualHistory[i] <= s.residualHistory[i - 1] * (1 + 1e-12));
    assert.ok(!s.converged && s.residual > 1e-14 * s.bNorm && s.iterations === 30);
  });
  test('a DEQ whose adjoint GMRES cannot converge in maxIter throws MAX_STEPS naming the residual', () => {
    const { model, params } = o1();
    const L = deq(model, { solver: broyden({ tol: 1e-12 }), backward: implicit({ maxIter: 1 }) });
    L.forward(X1, params);
    assert.throws(() => L.backward(ONES), (e: unknown) => e instanceof TideError && e.code === 'MAX_STEPS'
      && /did not converge: residual \d\.\d+e-\d+ after 1 iterations/.test(e.message) && /throwOnFailure: false/.test(e.message));
    const Q = deq(model, { solver: broyden({ tol: 1e-12 }), backward: implicit({ maxIter: 1, throwOnFailure: false }) });
    Q.forward(X1, params);
    const r = Q.backward(ONES).report;
    assert.ok(!r.backwardConverged && r.backwardResidual > 1e-3);
  });
});

describe('every backward mode against central differences (mlp DEQ, batch 2, float64)', () => {
  const f = mlp([3 + 2, 6, 3]);
  const params = new Float64Array(f.paramCount);
  f.init(params, new Rng(3));
  for (let i = 0; i < params.length; i++) params[i] *= 0.6; // keep f contractive in z
  const x = new Float64Array([0.3, -0.7, 1.1, 0.4]);
  const w = new Float64Array([0.5, -1, 0.25, 2, 0.1, -0.3]);
  const loss = (z: Float64Array): number => { let s = 0; for (let i = 0; i < z.length; i++) s += w[i] * z[i] + 0.5 * z[i] * z[i]; return s; };
  const dLoss = (z: Float64Array): Float64Array => z.map((v, i) => w[i] + v);
  const exact = (p: Float64Array, xx: Float64Array): number => loss(Float64Array.from(deq(f, { solver: broyden({ tol: 1e-14, maxIter: 100 }) }).forward(xx, p)));
  const gP = centralDiff((p) => exact(p, x), params), gX = centralDiff((xx) => exact(params, xx), x);
  const modes: [string, DeqBackward, number][] = [['implicit gmres', implicit(), 1e-7], ['implicit fixed-point', implicit({ solver: 'fixed-point', tol: 1e-13 }), 1e-7],
    ['implicit broyden', implicit({ solver: 'broyden', tol: 1e-13 }), 1e-7], ['phantom k=60', phantom({ k: 60 }), 1e-7]];
  for (const [name, b, tol] of modes) {
    test(`${name} matches dℓ/dθ and dℓ/dx of the exact fixed point`, () => {
      const L = deq(f, { solver: anderson({ tol: 1e-13, ridge: 'relative', maxIter: 100 }), backward: b });
      const z = Float64Array.from(L.forward(x, params));
      const { dParams, dX } = L.backward(dLoss(z));
      assert.ok(maxRelErr(dParams, gP) < tol, `params ${maxRelErr(dParams, gP)}`);
      assert.ok(maxRelErr(dX, gX) < tol, `x ${maxRelErr(dX, gX)}`);
    });
  }
  test('unrolled matches central differences of the unrolled iteration itself (K = 12 damped steps)', () => {
    const solver = fixedPoint({ tol: 1e-300, maxIter: 13, damping: 0.8 });
    const run = (p: Float64Array, xx: Float64Array): number => loss(Float64Array.from(deq(f, { solver, backward: unrolled(), throwOnFailure: false }).forward(xx, p)));
    const L = deq(f, { solver, backward: unrolled(), throwOnFailure: false });
    const z = Float64Array.from(L.forward(x, params));
    const { dParams, dX, report } = L.backward(dLoss(z));
    assert.equal(report.backwardSteps, 12);
    assert.equal(report.stateBytes, 8 * 6 * 13);
    assert.ok(maxRelErr(dParams, centralDiff((p) => run(p, x), params)) < 1e-7);
    assert.ok(maxRelErr(dX, centralDiff((xx) => run(params, xx), x)) < 1e-7);
  });
  test('JFB is a descent direction here (positive inner product with the true gradient)', () => {
    const L = deq(f, { solver: broyden({ tol: 1e-12 }), backward: jfb() });
    const z = Float64Array.from(L.forward(x, params));
    const { dParams } = L.backward(dLoss(z));
    let s = 0;
    for (let i = 0; i < gP.length; i++) s += dParams[i] * gP[i];
    assert.ok(s > 0);
  });
  test('unrolled() with an Anderson forward is a BAD_OPTION naming the fix', () => {
    assert.throws(() => deq(f, { solver: 'anderson', backward: unrolled() }).forward(x, params),
      (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION' && /fixedPoint/.test(e.message));
  });
});

describe('bad input', () => {
  test('a non-contractive f (ρ(J) = 1.5) ends with a TideError naming the residual history and the fix', () => {
    const { map, params } = linear([[1.5, 0], [0, -1.2]]);
    for (const solver of [fixedPoint({ stopMode: 'abs' }), fixedPoint()]) {
      const L = deq(map, { solver });
      assert.throws(() => L.forward(new Float64Array([1, 1]), params), (e: unknown) => e instanceof TideError
        && /residual history .*e[+-]\d/.test(e.message) && /not contractive/.test(e.message) && /throwOnFailure: false/.test(e.message)
        && Array.isArray(e.details.residualHistory), `${solver.name}`);
    }
    const L = deq(map, { solver: fixedPoint({ maxIter: 10 }), throwOnFailure: false });
    L.forward(new Float64Array([1, 1]), params);
    assert.equal(L.stats!.converged, false);
  });
  test('shape mismatches between z, x and f', () => {
    const isShape = (re: RegExp) => (e: unknown) => e instanceof TideError && e.code === 'SHAPE' && re.test(e.message);
    assert.throws(() => mapFromModel(mlp([5, 8, 4]), 3), isShape(/f must return z's shape: .* gives 4 outputs per row for z of width 3/));
    assert.throws(() => deq(mlp([3, 8, 4])), isShape(/inDim must be zDim \+ xDim/));
    const f = mlp([5, 8, 3]), p = new Float64Array(f.paramCount), L = deq(f);
    f.init(p, new Rng(1));
    assert.throws(() => L.forward(new Float64Array(5), p), isShape(/not a multiple of xDim = 2/));
    assert.throws(() => L.forward(new Float64Array(4), p, new Float64Array(3)), isShape(/z0 has length 3; expected batch 2 × zDim 3 = 6/));
    assert.throws(() => L.forward(new Float64Array(4), p.subarray(1)), isShape(/params has length/));
    L.forward(new Float64Array(4), p);
    assert.throws(() => L.backward(new Float64Array(3)), isShape(/dOut has length 3; expected batch 2 × zDim 3 = 6/));
  });
});
