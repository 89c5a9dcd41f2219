import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { o1, linear, X1, Z1 } from './problems.ts';
import { BoundMap } from '../../src/deq/map.ts';
import type { DeqMap } from '../../src/deq/map.ts';
import { fixedPoint } from '../../src/deq/forward/fixed-point.ts';
import { anderson } from '../../src/deq/forward/anderson.ts';
import { broyden } from '../../src/deq/forward/broyden.ts';
import type { ForwardSolver } from '../../src/deq/forward/solver.ts';
import { TideError } from '../../src/core/errors.ts';

function run(s: ForwardSolver, map: DeqMap, params: Float64Array, x: Float64Array, batch = 1) {
  const F = new BoundMap(map, map.workspace(batch)).bind(params, x);
  const z = new Float64Array(map.zDim * batch);
  const stats = s.solve(z, F, s.workspace(map.zDim, batch));
  assert.equal(stats.nfe, F.nfe, 'reported nfe = evaluations made');
  return { z, stats };
}
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let e = 0; for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i])); return e; };

describe('O1: f(z) = tanh(Wz + x), d = 3, from z0 = 0 (evaluation counts)', () => {
  const { map, params } = o1();
  test('tol 1e-10: plain 18, Broyden 9; Anderson with the absolute ridge 48 (m = 6) / 43 (m = 5); relative ridge faster', () => {
    const cases: [ForwardSolver, number][] = [[fixedPoint({ tol: 1e-10 }), 18], [broyden({ tol: 1e-10 }), 9],
      [anderson({ tol: 1e-10 }), 48], [anderson({ tol: 1e-10, memory: 5 }), 43]];
    for (const [s, nfe] of cases) {
      const { z, stats } = run(s, map, params, X1);
      assert.equal(stats.nfe, nfe, `${s.name}`);
      assert.equal(stats.stop, 'converged');
      assert.ok(stats.residual < 1e-10);
      assert.ok(maxAbs(z, Z1) < 1e-9, `${s.name} z* error ${maxAbs(z, Z1)}`);
      assert.equal(stats.residualHistory.length, stats.iterations);
    }
    const rel = run(anderson({ tol: 1e-10, ridge: 'relative' }), map, params, X1).stats;
    assert.ok(rel.converged && rel.nfe < 18, `relative ridge ${rel.nfe}`);
  });
  test('tol 1e-3: plain 6, Broyden 5, Anderson (m = 6, λ = 1e-4) 5', () => {
    assert.equal(run(fixedPoint(), map, params, X1).stats.nfe, 6);
    assert.equal(run(broyden(), map, params, X1).stats.nfe, 5);
    assert.equal(run(anderson(), map, params, X1).stats.nfe, 5);
  });
  test('damped iteration converges to the same z*; abs mode', () => {
    const { z, stats } = run(fixedPoint({ tol: 1e-12, damping: 0.7, stopMode: 'abs', maxIter: 200 }), map, params, X1);
    assert.ok(stats.converged && maxAbs(z, Z1) < 1e-11);
  });
});

describe('O2: linear DEQ, Broyden finite termination (Gay 1979: ≤ 2d)', () => {
  test('reaches 1e-13 relative residual in ≤ 8 iterations', () => {
    const { map, params } = linear([[0.5, 0.2, -0.1, 0], [0.1, -0.3, 0.2, 0.1], [0, 0.2, 0.4, -0.2], [0.3, 0, 0.1, 0.2]]);
    const { z, stats } = run(broyden({ tol: 1e-13, maxIter: 30 }), map, params, new Float64Array([1, 2, -1, 0.5]));
    assert.ok(stats.converged && stats.nfe - 1 <= 8, `iterations ${stats.nfe - 1}`);
    assert.ok(maxAbs(z, [2.980769230769231, 1.634615384615385, -1.634615384615385, 1.538461538461538]) < 1e-12);
  });
});

describe('O3: Anderson memory on A = diag(0.99, 0.95, 0.9, −0.9, 0.5), b = 1 (rel ≤ 1e-8)', () => {
  const { map, params } = linear([[0.99, 0, 0, 0, 0], [0, 0.95, 0, 0, 0], [0, 0, 0.9, 0, 0], [0, 0, 0, -0.9, 0], [0, 0, 0, 0, 0.5]]);
  const b = new Float64Array(5).fill(1), zs = [100, 20, 10, 10 / 19, 2];
  test('plain 1374 evaluations; Anderson m = 6 (= d + 1), λ = 1e-10: 8; m = 5 (= d) stalls; Broyden ≤ 2d iterations', () => {
    const plain = run(fixedPoint({ tol: 1e-8, maxIter: 3000 }), map, params, b).stats;
    assert.equal(plain.nfe, 1374);
    const a6 = run(anderson({ tol: 1e-8, memory: 6, lambda: 1e-10, maxIter: 300 }), map, params, b);
    assert.equal(a6.stats.nfe, 8);
    assert.ok(maxAbs(a6.z, zs) < 1e-6);
    const a5 = run(anderson({ tol: 1e-8, memory: 5, lambda: 1e-10, maxIter: 300 }), map, params, b).stats;
    assert.ok(!a5.converged && a5.nfe > 100, `m = 5: ${a5.stop} after ${a5.nfe}`);
    const br = run(broyden({ tol: 1e-8, maxIter: 30 }), map, params, b).stats;
    assert.ok(br.converged && br.nfe - 1 <= 10);
  });
});

describe('batches and termination rules', () => {
  const { map, params } = o1();
  const x2 = new Float64Array([0.5, -1, 0.25, -0.3, 0.8, 1.5]);
  for (const s of [fixedPoint({ tol: 1e-10 }), anderson({ tol: 1e-10, ridge: 'relative' }), broyden({ tol: 1e-10 })]) {
    test(`${s.name}: each batch row solves its own problem (per-sample and whole-batch norms)`, () => {
      const both = run(s, map, params, x2, 2).z;
      const r2 = run(s, map, params, x2.slice(3), 1).z;
      assert.ok(maxAbs(both.subarray(0, 3), Z1) < 1e-9);
      assert.ok(maxAbs(both.subarray(3), r2) < 1e-9);
    });
  }
  test("norm 'batch' also converges; residual of the returned iterate ≤ every recorded objective", () => {
    const { stats } = run(broyden({ tol: 1e-10, norm: 'batch' }), map, params, x2, 2);
    assert.ok(stats.converged);
    assert.equal(stats.residual, Math.min(...stats.residualHistory));
  });
  test('the best iterate is returned, not the last (diverging map, protective break)', () => {
    const { map: lin, params: p } = linear([[2.5, 0], [0, 2.5]]);
    const { stats } = run(fixedPoint({ stopMode: 'abs', maxIter: 100 }), lin, p, new Float64Array([1, 1]));
    assert.equal(stats.stop, 'diverged');
    assert.equal(stats.residual, stats.residualHistory[0]);
  });
  test('stagnation stop after 30 iterates within 3·tol', () => {
    // f(z) = 0.9999z + b from 0: z_k ≈ k·b, so the rel residual ≈ 1/k falls below 3·tol at k ≈ 334 and then
    // changes by < 1.3× over 30 iterates, long before it reaches tol (k ≈ 900).
    const { map: lin, params: p } = linear([[0.9999, 0], [0, 0.9999]]);
    const { stats } = run(fixedPoint({ tol: 1e-3, maxIter: 2000 }), lin, p, new Float64Array([1, 1]));
    assert.equal(stats.stop, 'stagnated');
    assert.ok(stats.iterations > 300 && stats.iterations < 400, `${stats.iterations}`);
  });
  test('bad options are BAD_OPTION errors naming the option', () => {
    assert.throws(() => anderson({ memory: 1 }), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION' && /memory/.test(e.message));
    assert.throws(() => fixedPoint({ damping: 0 }), /damping/);
    assert.throws(() => broyden({ tol: -1 }), /tol/);
    assert.throws(() => anderson({ rdige: 'relative' } as never), /Did you mean 'ridge'/);
  });
});
