/**
 * The lower-level stepping API gradient methods build on: erkWorkspace / erkStep / erkAccept / erkStageInput.
 * NFE accounting with FSAL, k_i are derivatives at the documented (t + c_i h, Y_i), stage inputs recompute bitwise,
 * accept rotates k so k[0] = f(t_{n+1}, y_{n+1}).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { erkAccept, erkStageInput, erkStep, erkWorkspace, erkSolver } from '../../src/solvers/erk.ts';
import { odeTerm } from '../../src/terms/ode.ts';
import { tsit5 } from '../../src/solvers/tableaus/tsit5.ts';
import { rk4 } from '../../src/solvers/tableaus/rk4.ts';
import { bs3 } from '../../src/solvers/tableaus/bs3.ts';
import { dopri5 } from '../../src/solvers/tableaus/dopri5.ts';
import { fieldFromFunction } from '../../src/core/field.ts';
import { solve } from '../../src/gradients/solve.ts';

/** A field that records every (t, y) it is evaluated at. */
function recording() {
  const calls: { t: number; y: number[] }[] = [];
  const field = fieldFromFunction((o, t, y) => { calls.push({ t, y: Array.from(y) }); o[0] = Math.sin(t) - y[0] * y[1]; o[1] = y[0]; }, 2);
  return { field, calls };
}
const P = new Float64Array(0);

test('erkStep: FSAL tableaus spend s − 1 NFE once k1 is valid; non-FSAL spend s; the error vector is h Σ e_i k_i', () => {
  for (const T of [tsit5, dopri5, bs3, rk4]) {
    const { field, calls } = recording();
    const ws = erkWorkspace(T, odeTerm(field));
    const y = Float64Array.of(0.3, -0.2), yNew = new Float64Array(2);
    const err = T.bErr ? new Float64Array(2) : null;
    assert.equal(erkStep(yNew, err, T, 0.5, 0.1, y, P, ws), T.stages, `${T.name} first step evaluates k1`);
    assert.equal(calls[0].t, 0.5);
    // Each k_i is f at (t + c_i h, Y_i), with Y_i from erkStageInput (bitwise).
    const Yi = new Float64Array(2);
    for (let i = 0; i < T.stages; i++) {
      erkStageInput(Yi, T, i, 0.1, y, ws.k);
      assert.deepEqual(calls[i].y, Array.from(i === 0 ? y : Yi), `${T.name} stage ${i + 1} input`);
      assert.equal(calls[i].t, 0.5 + T.c[i] * 0.1);
      const f = new Float64Array(2);
      field.eval(f, calls[i].t, Float64Array.from(calls[i].y), P);
      assert.deepEqual(Array.from(ws.k[i]), Array.from(f), `${T.name} k_${i + 1} is a derivative`);
    }
    if (err && T.bErr) {
      for (let m = 0; m < 2; m++) {
        let e = 0;
        for (let i = 0; i < T.stages; i++) e += T.bErr[i] * ws.k[i][m];
        assert.ok(Math.abs(err[m] - 0.1 * e) <= 1e-17);
      }
    }
    // A retry after rejection reuses k1.
    assert.equal(erkStep(yNew, err, T, 0.5, 0.05, y, P, ws), T.stages - 1);
    const fsalK = ws.k[T.stages - 1];
    const nfe = erkAccept(null, false, T, 0.5, 0.05, y, yNew, P, ws);
    if (T.fsal) {
      assert.equal(nfe, 0);
      assert.equal(ws.k[0], fsalK, 'FSAL: the last stage array becomes k[0] (swapped, not copied)');
      assert.ok(ws.k1Valid);
      assert.equal(erkStep(new Float64Array(2), err, T, 0.55, 0.05, yNew, P, ws), T.stages - 1);
    } else {
      assert.equal(nfe, 0);
      assert.equal(ws.k1Valid, false);
      assert.equal(erkStep(new Float64Array(2), err, T, 0.55, 0.05, yNew, P, ws), T.stages);
    }
  }
});

test('erkAccept with needFEnd on a non-FSAL tableau evaluates f(t + h, y_{n+1}) once and reuses it as the next k1', () => {
  const { field, calls } = recording();
  const ws = erkWorkspace(rk4, odeTerm(field));
  const y = Float64Array.of(1, 2), yNew = new Float64Array(2);
  erkStep(yNew, null, rk4, 0, 0.1, y, P, ws);
  assert.equal(erkAccept(null, true, rk4, 0, 0.1, y, yNew, P, ws), 1);
  assert.deepEqual(calls[calls.length - 1], { t: 0.1, y: Array.from(yNew) });
  assert.ok(ws.k1Valid);
  assert.equal(erkStep(new Float64Array(2), null, rk4, 0.1, 0.1, yNew, P, ws), 3);
});

test('solve NFE accounting: 1 + 1 (probe) + (s − 1)·attempts for FSAL pairs; s·N for fixed RK4', () => {
  const { field } = recording();
  for (const m of ['tsit5', 'dopri5', 'bs3']) {
    const sol = solve(field, Float64Array.of(1, 0), { t0: 0, t1: 3, method: m });
    const s = erkSolver(m === 'bs3' ? bs3 : m === 'tsit5' ? tsit5 : dopri5).tableau!.stages;
    assert.equal(sol.stats.nfe, 2 + (s - 1) * sol.stats.nSteps, m);
    assert.equal(sol.stats.nSteps, sol.stats.nAccepted + sol.stats.nRejected);
  }
  const fixed = solve(field, Float64Array.of(1, 0), { t0: 0, t1: 1, method: 'rk4', stepSize: 0.1 });
  assert.equal(fixed.stats.nfe, 40);
  // Dense output with a non-FSAL method costs one extra NFE in total (the final f(t1, y1)).
  const dense = solve(field, Float64Array.of(1, 0), { t0: 0, t1: 1, method: 'rk4', stepSize: 0.1, saveAt: { dense: true } });
  assert.equal(dense.stats.nfe, 41);
  assert.deepEqual(Array.from(dense.yFinal), Array.from(fixed.yFinal));
});
