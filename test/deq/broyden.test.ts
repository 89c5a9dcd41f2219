import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { o1, linear, X1, Z1 } from './problems.ts';
import { BoundMap } from '../../src/deq/map.ts';
import type { DeqMap } from '../../src/deq/map.ts';
import { anderson } from '../../src/deq/forward/anderson.ts';
import { broyden } from '../../src/deq/forward/broyden.ts';
import type { ForwardSolver, IterMap } from '../../src/deq/forward/solver.ts';
import { TideError } from '../../src/core/errors.ts';

function run(s: ForwardSolver, map: DeqMap, params: Float64Array, x: Float64Array, batch = 1) {
  const F = new BoundMap(map, map.workspace(batch)).bind(params, x);
  const z = new Float64Array(map.zDim * batch);
  const stats = s.solve(z, F, s.workspace(map.zDim, batch));
  assert.equal(stats.nfe, F.nfe, 'reported nfe = evaluations made');
  return { z, stats };
}
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => { let e = 0; for (let i = 0; i < a.length; i++) e = Math.max(e, Math.abs(a[i] - b[i])); return e; };

const A2 = [[0.5, 0.2, -0.1, 0], [0.1, -0.3, 0.2, 0.1], [0, 0.2, 0.4, -0.2], [0.3, 0, 0.1, 0.2]];
const B2 = new Float64Array([1, 2, -1, 0.5]);
const Z2 = [2.980769230769231, 1.634615384615385, -1.634615384615385, 1.538461538461538];

describe("dense Broyden (memory: 'dense') against limited memory and Anderson", () => {
  // Measured f evaluations from z0 = 0 (limited = dense in every case: with no pair evicted they are the same B):
  //   O1 tol 1e-3: 5, tol 1e-10: 9, tol 1e-13: 10;  O2 tol 1e-10: 9, tol 1e-13: 9 (= 8 iterations ≤ 2d).
  const cases: [string, () => { map: DeqMap; params: Float64Array }, Float64Array, number[], [number, number][]][] = [
    ['O1', o1, X1, Z1, [[1e-3, 5], [1e-10, 9], [1e-13, 10]]],
    ['O2', () => linear(A2), B2, Z2, [[1e-10, 9], [1e-13, 9]]],
  ];
  for (const [name, mk, x, zs, tols] of cases) {
    test(`${name}: same fixed point as limited-memory Broyden and Anderson, evaluations ≤ limited memory's`, () => {
      const { map, params } = mk();
      for (const [tol, expect] of tols) {
        const lim = run(broyden({ tol, maxIter: 60 }), map, params, x);
        const den = run(broyden({ tol, maxIter: 60, memory: 'dense' }), map, params, x);
        const and = run(anderson({ tol, maxIter: 60, ridge: 'relative', lambda: 1e-10 }), map, params, x);
        for (const r of [lim, den, and]) assert.equal(r.stats.stop, 'converged', `${name} tol ${tol}`);
        assert.equal(lim.stats.nfe, expect, `${name} tol ${tol} limited`);
        assert.ok(den.stats.nfe <= lim.stats.nfe, `${name} tol ${tol}: dense ${den.stats.nfe} > limited ${lim.stats.nfe}`);
        assert.equal(den.stats.nfe, expect, `${name} tol ${tol} dense`);
        assert.ok(maxAbs(den.z, lim.z) < 1e-12, `dense vs limited ${maxAbs(den.z, lim.z)}`);
        const zTol = tol === 1e-3 ? 1e-3 : 1e-8;
        assert.ok(maxAbs(den.z, and.z) < zTol, `dense vs Anderson ${maxAbs(den.z, and.z)}`);
        assert.ok(maxAbs(den.z, zs) < zTol, `dense vs z* ${maxAbs(den.z, zs)}`);
      }
    });
  }
  test('batch rows are independent; a workspace is reused across solves (B reset to −I)', () => {
    const { map, params } = o1();
    const x2 = new Float64Array([0.5, -1, 0.25, -0.3, 0.8, 1.5]);
    const s = broyden({ tol: 1e-10, memory: 'dense' });
    const both = run(s, map, params, x2, 2).z;
    assert.ok(maxAbs(both.subarray(0, 3), Z1) < 1e-9);
    assert.ok(maxAbs(both.subarray(3), run(s, map, params, x2.slice(3)).z) < 1e-9);
    const F = new BoundMap(map, map.workspace(1)).bind(params, X1), ws = s.workspace(3, 1);
    const a = new Float64Array(3), b = new Float64Array(3);
    const sa = s.solve(a, F, ws), sb = s.solve(b, F, ws);
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.equal(sa.nfe, sb.nfe);
  });
  test('with limited memory evicting pairs, dense needs no more evaluations (O2 to 1e-12: memory 2 27, dense 9)', () => {
    const { map, params } = linear(A2);
    const lim = run(broyden({ tol: 1e-12, maxIter: 100, memory: 2 }), map, params, B2).stats;
    const den = run(broyden({ tol: 1e-12, maxIter: 100, memory: 'dense' }), map, params, B2).stats;
    assert.ok(den.converged && den.nfe <= lim.nfe, `dense ${den.nfe}, memory 2 ${lim.nfe} (${lim.stop})`);
  });
});

/** f(z)_i = c_i − 20·atan(z_i − 1): steep (f' ≈ −20 near z*), so the unit Broyden step overshoots badly. */
class Steep implements IterMap {
  nfe = 0;
  constructor(readonly c: number[], readonly n: number) {}
  eval(out: Float64Array, z: Readonly<Float64Array>): void {
    this.nfe++;
    for (let i = 0; i < z.length; i++) out[i] = this.c[Math.floor(i / this.n)] - 20 * Math.atan(z[i] - 1);
  }
}
function residual(F: Steep, z: Float64Array): number {
  const f = new Float64Array(z.length);
  F.eval(f, z); F.nfe--;
  return maxAbs(f, z);
}

describe('Armijo backtracking line search (lineSearch)', () => {
  for (const memory of [undefined, 'dense'] as const) {
    test(`${memory ?? 'limited memory'}: converges where the unit step overshoots; accepted steps never raise the residual; trials counted in nfe`, () => {
      const plainF = new Steep([3], 2), plainS = broyden({ tol: 1e-10, stopMode: 'abs', memory });
      const plain = plainS.solve(new Float64Array(2), plainF, plainS.workspace(2, 1));
      assert.equal(plain.stop, 'maxIter', 'the unit step does not converge here');
      let up = false;
      for (let i = 1; i < plain.residualHistory.length; i++) if (plain.residualHistory[i] > plain.residualHistory[i - 1]) up = true;
      assert.ok(up, 'the unit step raises the residual');

      const F = new Steep([3], 2), s = broyden({ tol: 1e-10, stopMode: 'abs', memory, lineSearch: true });
      const ws = s.workspace(2, 1), z = new Float64Array(2);
      const st = s.solve(z, F, ws);
      assert.equal(st.stop, 'converged');
      assert.ok(residual(F, z) < 1e-10);
      assert.equal(st.nfe, F.nfe, 'nfe counts every trial evaluation');
      assert.ok(ws.backtracks > 0, 'it backtracked');
      assert.equal(ws.fallbacks, 0);
      assert.equal(st.nfe, st.iterations + ws.backtracks, 'nfe = measured iterates + backtracking evaluations');
      const h = st.residualHistory;
      for (let i = 1; i < h.length; i++) assert.ok(h[i] <= h[i - 1], `residual rose at iterate ${i}: ${h[i - 1]} → ${h[i]}`);
      assert.equal(st.nfe, 11, 'measured: 8 iterates + 3 backtracks');
    });
  }
  test('per-row steps in a batch, one step under norm batch; options; maxIter caps the trials', () => {
    for (const norm of ['sample', 'batch'] as const) {
      const F = new Steep([3, 10], 2), s = broyden({ tol: 1e-10, stopMode: 'abs', norm, lineSearch: { c1: 1e-3, shrink: 0.3, maxBacktracks: 10 } });
      const ws = s.workspace(2, 2), z = new Float64Array(4);
      const st = s.solve(z, F, ws);
      assert.ok(st.converged && residual(F, z) < 1e-9, `${norm}: ${st.stop}`);
      assert.equal(st.nfe, F.nfe);
      assert.equal(st.nfe, st.iterations + ws.backtracks);
      const h = st.residualHistory;
      if (ws.fallbacks === 0) for (let i = 1; i < h.length; i++) assert.ok(h[i] <= h[i - 1] * (1 + 1e-12), `${norm} iterate ${i}`);
    }
    const F = new Steep([3], 2), s = broyden({ stopMode: 'abs', tol: 1e-10, maxIter: 6, lineSearch: true });
    const st = s.solve(new Float64Array(2), F, s.workspace(2, 1));
    assert.equal(st.stop, 'maxIter');
    assert.ok(F.nfe <= 6 && st.nfe === F.nfe, `nfe ${F.nfe}`);
  });
  test('off by default and a no-op where the unit step is accepted (O1: 9 evaluations either way)', () => {
    const { map, params } = o1();
    assert.equal(broyden().lineSearch, null);
    assert.equal(run(broyden({ tol: 1e-10, lineSearch: true }), map, params, X1).stats.nfe, 9);
    assert.equal(run(broyden({ tol: 1e-10, lineSearch: false }), map, params, X1).stats.nfe, 9);
  });
});

describe('broyden option checks', () => {
  const bad = (fn: () => unknown, re: RegExp): void => {
    assert.throws(fn, (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION' && re.test(e.message), `${re}`);
  };
  test('unknown keys, bad memory, bad line-search options', () => {
    bad(() => broyden({ lineSerch: true } as never), /unknown option 'lineSerch'.*Did you mean 'lineSearch'/);
    bad(() => broyden({ lineSearch: { c: 0.1 } } as never), /unknown option 'c'.*c1, shrink, maxBacktracks/);
    bad(() => broyden({ lineSearch: 'yes' } as never), /lineSearch must be true, false or an object/);
    bad(() => broyden({ memory: 'full' } as never), /memory must be an integer ≥ 1 .* or 'dense'/);
    bad(() => broyden({ memory: 0 }), /memory must be/);
    for (const c1 of [0, 1, -0.1, NaN]) bad(() => broyden({ lineSearch: { c1 } }), /lineSearch\.c1 must be a number in \(0, 1\)/);
    for (const shrink of [0, 1, 1.5]) bad(() => broyden({ lineSearch: { shrink } }), /lineSearch\.shrink must be a number in \(0, 1\)/);
    for (const maxBacktracks of [0, 2.5]) bad(() => broyden({ lineSearch: { maxBacktracks } }), /lineSearch\.maxBacktracks must be an integer ≥ 1/);
  });
  test('dense on a too-large problem is refused before allocating, naming the limited-memory form', () => {
    const s = broyden({ memory: 'dense' });
    bad(() => s.workspace(5000, 1), /5000×5000.*refused above d = 4096.*limited-memory form, e\.g\. broyden\(\{ memory: 27 \}\)/);
    bad(() => s.workspace(3000, 20), /20 rows.*limited-memory/);
    assert.equal(s.workspace(64, 2).Bd.length, 2 * 64 * 64);
  });
});
