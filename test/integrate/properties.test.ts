/**
 * Property tests (fast-check, fixed seeds; fast-check prints the seed and the shrunk case on failure):
 * saveAt.ts rows come back in order and equal the dense output; forward then backward returns to y0; a fixed-step
 * batch equals its rows solved one by one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { solve } from '../../src/gradients/solve.ts';
import { fieldFromFunction } from '../../src/core/field.ts';

const SEED = 20240917;

/** y' = A y for a 2×2 matrix A (row-major in params). */
const linear = fieldFromFunction((o, _t, y, p) => {
  o[0] = p[0] * y[0] + p[1] * y[1];
  o[1] = p[2] * y[0] + p[3] * y[1];
}, 2, 4, 'linear');

const matrix = fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 });
const state = fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 2, maxLength: 2 });
const method = fc.constantFrom('tsit5', 'dopri5', 'bs3', 'vcab3');

test('saveAt.ts comes back in order and equals the dense output at the same times (bitwise)', () => {
  fc.assert(fc.property(matrix, state, method, fc.uniqueArray(fc.double({ min: 0, max: 3, noNaN: true }), { minLength: 1, maxLength: 12 }),
    (A, y0, m, raw) => {
      const ts = [...raw].sort((a, b) => a - b);
      const sol = solve(linear, Float64Array.from(y0), { t0: 0, t1: 3, method: m, params: Float64Array.from(A), saveAt: { ts, dense: true } });
      assert.deepEqual(Array.from(sol.ts), ts);
      for (let i = 0; i < ts.length; i++) assert.deepEqual(Array.from(sol.evaluate(ts[i])), Array.from(sol.y(i)), `t = ${ts[i]}`);
    }), { seed: SEED, numRuns: 60 });
});

test('solving forward and then backward from the result returns to y0 (smooth linear problems)', () => {
  fc.assert(fc.property(matrix, state, method, fc.double({ min: 0.1, max: 2, noNaN: true }), (A, y0, m, T) => {
    const params = Float64Array.from(A);
    const opts = { params, method: m, rtol: 1e-10, atol: 1e-12 };
    const fwd = solve(linear, Float64Array.from(y0), { ...opts, t0: 0, t1: T });
    const back = solve(linear, fwd.yFinal, { ...opts, t0: T, t1: 0 });
    const scale = 1 + Math.hypot(y0[0], y0[1]);
    // |A| ≤ 2 and T ≤ 2: errors grow by at most e^{4} each way.
    for (let j = 0; j < 2; j++) assert.ok(Math.abs(back.yFinal[j] - y0[j]) <= 1e-6 * scale, `component ${j}: ${back.yFinal[j]} vs ${y0[j]}`);
  }), { seed: SEED, numRuns: 40 });
});

test('a fixed-step batch [B, 2] equals its rows solved one by one (bitwise)', () => {
  fc.assert(fc.property(fc.array(state, { minLength: 1, maxLength: 5 }), fc.constantFrom('rk4', 'midpoint', 'tsit5', 'euler'), (rows, m) => {
    const B = rows.length;
    const f = fieldFromFunction((o, t, y) => { for (let b = 0; b < B; b++) { o[2 * b] = Math.sin(t) * y[2 * b + 1]; o[2 * b + 1] = -y[2 * b] * y[2 * b]; } }, 2 * B);
    const one = fieldFromFunction((o, t, y) => { o[0] = Math.sin(t) * y[1]; o[1] = -y[0] * y[0]; }, 2);
    const opts = { t0: 0, t1: 1, method: m, adaptive: false, stepSize: 0.05 };
    const batch = solve(f, Float64Array.from(rows.flat()), { ...opts, shape: [B, 2] });
    rows.forEach((r, b) => {
      const single = solve(one, Float64Array.from(r), opts);
      assert.deepEqual(Array.from(batch.yFinal.subarray(2 * b, 2 * b + 2)), Array.from(single.yFinal));
    });
  }), { seed: SEED, numRuns: 40 });
});
