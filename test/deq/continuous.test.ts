import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { deq } from '../../src/deq/layer.ts';
import { continuous } from '../../src/deq/continuous.ts';
import type { ContinuousStats } from '../../src/deq/continuous.ts';
import { anderson } from '../../src/deq/forward/anderson.ts';
import { broyden } from '../../src/deq/forward/broyden.ts';
import { implicit } from '../../src/deq/backward/implicit.ts';
import { mlp } from '../../src/nn/chain.ts';
import { Rng } from '../../src/core/random.ts';
import { TideError } from '../../src/core/errors.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';
import { o1, X1, Z1 } from './problems.ts';

/** O1's implicit gradient dℓ/dx for ℓ = Σ z*. */
const DX1 = [0.461643413724612, 0.306231382505161, 1.191704500380185];
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };

describe('continuous DEQ: oracle O5 (O1 by Tsit5, PI controller, atol = rtol = tol, z0 = 0)', () => {
  for (const [tol, T, steps, nfe, eZ, eF] of [[1e-3, 9.20, 14, 86, 9.5e-4, 2.2e-4], [1e-6, 17.66, 35, 212, 6.0e-7, 1.4e-7]] as const) {
    test(`tol ${tol}: T ≈ ${T}, ${steps} steps, ${nfe} NFE, |z_T − z*| ≈ ${eZ}, |f(z_T) − z*| ≈ ${eF}; implicit gradient = O1's`, () => {
      const { model, params } = o1();
      const L = deq(model, { solver: continuous({ method: 'tsit5', tol }), backward: implicit() });
      const out = L.forward(X1, params);
      const s = L.stats as ContinuousStats;
      assert.equal(s.stop, 'converged');
      assert.ok(Math.abs(s.tFinal - T) < 0.01, `T = ${s.tFinal}`);
      assert.equal(s.acceptedSteps, steps);
      assert.equal(s.iterations, steps);
      assert.equal(s.solverNfe, nfe);
      assert.equal(s.nfe, nfe + 1); // + the output f(z_T)
      const b = L.backward(new Float64Array([1, 1, 1]));
      // The record holds z_T (where the backward linearises), the output is f(z_T).
      const eOut = maxAbs(out, Z1);
      assert.ok(Math.abs(eOut - eF) < 0.1 * eF, `|f(z_T) − z*| = ${eOut}`);
      // |z_T − z*|: redo the solve with the solver directly.
      const ws = L.solver.workspace(3, 1);
      const zT = new Float64Array(3);
      const F = { eval: (o: Float64Array, z: Readonly<Float64Array>) => { model.apply(o, params, Float64Array.of(...z, ...X1), model.workspace(1)); } };
      L.solver.solve(zT, F, ws);
      assert.ok(Math.abs(maxAbs(zT, Z1) - eZ) < 0.1 * eZ, `|z_T − z*| = ${maxAbs(zT, Z1)}`);
      assert.ok(maxAbs(b.dX, DX1) < tol, `dℓ/dx error ${maxAbs(b.dX, DX1)}`);
      assert.ok(b.report.vjpBackward > 0 && b.report.vjpBackward <= 5, `VJPs ${b.report.vjpBackward}`);
      assert.equal(b.report.nfeForward, nfe + 1);
    });
  }
});

describe('continuous DEQ: gradients and fixed point', () => {
  const zDim = 4, xDim = 3, B = 2;
  const f = mlp([zDim + xDim, 8, zDim], { activation: 'tanh' });
  const params = new Float64Array(f.paramCount);
  f.init(params, new Rng(5));
  for (let i = 0; i < params.length; i++) params[i] *= 0.6; // a contraction in z
  const rng = new Rng(9);
  const x = new Float64Array(B * xDim), w = new Float64Array(B * zDim);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  for (let i = 0; i < w.length; i++) w[i] = rng.normal();

  for (const method of ['vcab3', 'tsit5'] as const) {
    test(`${method}: dℓ/dθ and dℓ/dx of ℓ = w·f(z_T) match central differences`, () => {
      // The rule's tol can go no lower than about the step tolerance rtol (the trajectory's error floor), so both are
      // tight here; VCAB3, third order, then takes ~1500 steps.
      const tol = method === 'tsit5' ? 1e-10 : 1e-9;
      const L = deq(f, { solver: continuous({ method, tol, maxIter: 5000 }), backward: implicit({ rtol: 1e-13 }) });
      const loss = (p: Float64Array, xx: Float64Array): number => { const o = L.forward(xx, p); let s = 0; for (let i = 0; i < o.length; i++) s += w[i] * o[i]; return s; };
      loss(params, x);
      const { dParams, dX, report } = L.backward(w);
      const gP = Float64Array.from(dParams), gX = Float64Array.from(dX);
      assert.ok(report.vjpBackward > 1);
      const fdP = centralDiff((p) => loss(p, x), Float64Array.from(params), 1e-5);
      const fdX = centralDiff((xx) => loss(params, xx), Float64Array.from(x), 1e-5);
      assert.ok(maxRelErr(gP, fdP) < 1e-5, `θ: ${maxRelErr(gP, fdP)}`);
      assert.ok(maxRelErr(gX, fdX) < 1e-5, `x: ${maxRelErr(gX, fdX)}`);
    });

    test(`${method}: z* agrees with Anderson's and Broyden's fixed point; z0 from a guess works`, () => {
      const ref = Float64Array.from(deq(f, { solver: anderson({ tol: 1e-12, ridge: 'relative', maxIter: 200 }) }).forward(x, params));
      const br = Float64Array.from(deq(f, { solver: broyden({ tol: 1e-12, maxIter: 200 }) }).forward(x, params));
      assert.ok(maxAbs(ref, br) < 1e-10);
      const L = deq(f, { solver: continuous({ method, tol: 1e-9, maxIter: 5000 }) });
      const z = Float64Array.from(L.forward(x, params));
      assert.ok(maxAbs(z, ref) < 1e-10, `|z − z*| = ${maxAbs(z, ref)}`);
      const n0 = (L.stats as ContinuousStats).solverNfe;
      // A warm start (a Skip DEQ's guess) near z* terminates sooner.
      const guess = Float64Array.from(ref, (v) => v + 1e-4);
      const z2 = L.forward(x, params, guess);
      assert.ok(maxAbs(z2, ref) < 1e-10);
      assert.ok((L.stats as ContinuousStats).solverNfe < n0);
    });
  }

  test("the name 'continuous' gives the defaults (vcab3); bad options throw BAD_OPTION", () => {
    const L = deq(f, { solver: 'continuous' });
    assert.equal(L.solver.name, 'continuous(vcab3)');
    L.forward(x, params);
    assert.equal(L.stats!.stop, 'converged');
    assert.throws(() => continuous({ method: 'rk4' as 'vcab3' }), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION');
    assert.throws(() => continuous({ rtol: -1 }), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION');
    assert.throws(() => continuous({ foo: 1 } as object), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION');
  });

  test('a non-contractive f reports maxIter (accepted-step cap) and throws MAX_STEPS unless throwOnFailure is false', () => {
    const p = Float64Array.from(params, (v) => v * 8);
    const L = deq(f, { solver: continuous({ tol: 1e-12, maxIter: 20 }), throwOnFailure: false });
    L.forward(x, p);
    const s = L.stats as ContinuousStats;
    assert.ok(!s.converged);
    assert.ok(s.acceptedSteps <= 20);
    const strict = deq(f, { solver: continuous({ tol: 1e-12, maxIter: 20 }) });
    assert.throws(() => strict.forward(x, p), (e: unknown) => e instanceof TideError && e.code === 'MAX_STEPS');
  });
});
