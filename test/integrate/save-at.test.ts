/** saveAt (t0, t1, ts, steps, dense), tstops, backward solves, and the Solution accessors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { TideError } from '../../src/core/errors.ts';
import { fieldFromFunction } from '../../src/core/field.ts';
import { P2 } from '../fixtures/problems.ts';

const rot = P2.field;

test('default saves are t0 and t1; rows are views of ys', () => {
  const sol = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 1 });
  assert.deepEqual(Array.from(sol.ts), [0, 1]);
  assert.deepEqual(Array.from(sol.y(0)), [1, 0]);
  assert.equal(sol.ys.length, 4);
  assert.equal(sol.y(1).buffer, sol.ys.buffer);
  assert.deepEqual(Array.from(sol.y(1)), Array.from(sol.yFinal));
  assert.equal(sol.dim, 2);
  assert.deepEqual(sol.shape, [2]);
  assert.throws(() => sol.y(2), (e: unknown) => e instanceof TideError && /row 2 does not exist; the solution has 2 saved rows/.test(e.message));
});

test('saveAt.ts: states at the given times from the interpolant; steps are not shortened for them', () => {
  const ts = Array.from({ length: 21 }, (_, i) => i / 2);
  const plain = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 10, rtol: 1e-8, atol: 1e-8 });
  const sol = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 10, rtol: 1e-8, atol: 1e-8, saveAt: { ts } });
  assert.deepEqual(Array.from(sol.ts), ts);
  assert.deepEqual(sol.stats, plain.stats, 'saving does not change the step sequence');
  assert.deepEqual(Array.from(sol.stepSizes), Array.from(plain.stepSizes));
  ts.forEach((t, i) => {
    assert.ok(Math.abs(sol.y(i)[0] - Math.cos(t)) < 1e-6 && Math.abs(sol.y(i)[1] - Math.sin(t)) < 1e-6, `t = ${t}`);
  });
  assert.deepEqual(Array.from(sol.y(0)), [1, 0], 'τ = t0 returns y0 exactly');
  assert.deepEqual(Array.from(sol.y(20)), Array.from(plain.yFinal), 'τ = t1 returns y(t1) exactly');
});

test('saveAt.steps saves after every accepted step; order at equal times is t0, ts, steps, t1', () => {
  const sol = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 2, saveAt: { t0: true, ts: [0, 2], steps: true, t1: true } });
  const n = sol.stats.nAccepted;
  assert.equal(sol.count, 1 + 2 + n + 1);
  assert.deepEqual(Array.from(sol.ts.slice(0, 2)), [0, 0]);
  assert.deepEqual(Array.from(sol.ts.slice(-3)), [2, 2, 2]);
  // Step ends are the cumulative accepted step sizes.
  let t = 0;
  for (let i = 0; i < n; i++) { t += sol.stepSizes[i]; assert.ok(Math.abs(sol.ts[2 + i + (i === n - 1 ? 1 : 0)] - t) < 1e-12); }
});

test('tstops: steps land exactly on them; a jump of f there costs no rejections (restart with a fresh f)', () => {
  // y' = H(t − 1) − 0.1 y (right-continuous step at t = 1), y(0) = 0: y(2) = (1 − e^{−0.1})/0.1.
  const jump = fieldFromFunction((o, t, y) => { o[0] = (t < 1 ? 0 : 1) - 0.1 * y[0]; }, 1);
  const exact = (1 - Math.exp(-0.1)) / 0.1;
  const seen: number[] = [];
  const sol = solve(jump, Float64Array.of(0), { t0: 0, t1: 2, tstops: [1, 5, -1], onAccept: (r) => { seen.push(r.tNew); } });
  assert.ok(seen.includes(1), `steps end at ${seen}`);
  assert.equal(sol.stats.nRejected, 0);
  assert.ok(Math.abs(sol.yFinal[0] - exact) < 1e-8, `error ${sol.yFinal[0] - exact}`);
  const without = solve(jump, Float64Array.of(0), { t0: 0, t1: 2 });
  assert.ok(without.stats.nfe > 5 * sol.stats.nfe, `tstops save work: ${sol.stats.nfe} vs ${without.stats.nfe}`);
  // Landing on a smooth tstop keeps the step size the controller had proposed.
  const smooth = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 10, tstops: [3.14159], rtol: 1e-8, atol: 1e-8, saveAt: { steps: true } });
  const i = Array.from(smooth.ts).indexOf(3.14159);
  assert.ok(i > 0 && Math.abs(smooth.stepSizes[i + 1]) > 0.5 * Math.abs(smooth.stepSizes[i - 1]), 'no tiny step after a stop');
  // Fixed steps also land on tstops, and VCAB3 restarts with BS3 after one.
  const fixed = solve(jump, Float64Array.of(0), { t0: 0, t1: 2, method: 'rk4', stepSize: 0.3, tstops: [1], saveAt: { steps: true } });
  assert.deepEqual(Array.from(fixed.ts).map((t) => +t.toFixed(12)), [0.3, 0.6, 0.9, 1, 1.3, 1.6, 1.9, 2]);
  assert.ok(Math.abs(fixed.yFinal[0] - exact) < 1e-5);
  const kinds: string[] = [];
  solve(jump, Float64Array.of(0), { t0: 0, t1: 4, rtol: 1e-6, method: 'vcab3', tstops: [1], onAccept: (r) => { kinds.push(`${r.tNew === 1 ? '|' : ''}${r.tableau ? 'b' : 'a'}`); } });
  const after = kinds.findIndex((k) => k.startsWith('|')) + 1;
  assert.deepEqual(kinds.slice(after, after + 3), ['b', 'b', 'a'], kinds.join(' '));
});

test('fixed steps: t_n = t0 + n h without accumulated rounding; the last step is shortened to land on t1', () => {
  const sol = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 1, method: 'rk4', stepSize: 0.1, saveAt: { steps: true } });
  assert.equal(sol.count, 10);
  assert.equal(sol.ts[9], 1);
  assert.ok(sol.stepSizes.every((h) => h === 0.1));
  const odd = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 1, method: 'rk4', stepSize: 0.3, saveAt: { steps: true } });
  assert.equal(odd.count, 4);
  assert.ok(Math.abs(odd.stepSizes[3] - 0.1) < 1e-15);
});

test('backward solves (t1 < t0): decreasing ts, negative step sizes, dense evaluate', () => {
  const sol = solve(rot, Float64Array.of(Math.cos(5), Math.sin(5)), { t0: 5, t1: 0, rtol: 1e-9, atol: 1e-9, saveAt: { ts: [4, 2.5, 0], dense: true } });
  assert.deepEqual(Array.from(sol.ts), [4, 2.5, 0]);
  assert.ok(sol.stepSizes.every((h) => h < 0));
  for (const t of [4.7, 3, 0.1]) assert.ok(Math.abs(sol.evaluate(t)[0] - Math.cos(t)) < 1e-7);
  assert.ok(Math.abs(sol.yFinal[0] - 1) < 1e-8 && Math.abs(sol.yFinal[1]) < 1e-8);
  assert.throws(() => solve(rot, Float64Array.of(1, 0), { t0: 5, t1: 0, saveAt: { ts: [1, 2] } }), /strictly decreasing \(t1 < t0, backward solve\)/);
});

test('evaluate: errors outside the interval and without dense output; out is reused', () => {
  const sol = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 1, saveAt: { dense: true } });
  const out = new Float64Array(2);
  assert.equal(sol.evaluate(0.5, out), out);
  assert.deepEqual(Array.from(sol.evaluate(0)), [1, 0]);
  assert.throws(() => sol.evaluate(1.5), (e: unknown) => e instanceof TideError && e.code === 'BAD_ARGUMENT' && /t = 1.5 is outside the solved interval \[0, 1\]/.test(e.message));
  const nodense = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 1 });
  assert.throws(() => nodense.evaluate(0.5), /did not keep its dense output\. Solve with saveAt: \{ dense: true \}/);
});

test('t0 = t1: no steps, y0 saved', () => {
  const sol = solve(rot, Float64Array.of(1, 2), { t0: 3, t1: 3, saveAt: { t0: true, t1: true, ts: [3], dense: true } });
  assert.equal(sol.stats.nfe, 0);
  assert.deepEqual(Array.from(sol.ys), [1, 2, 1, 2, 1, 2]);
  assert.deepEqual(Array.from(sol.evaluate(3)), [1, 2]);
});

test('batched state with shape [batch, dim]: each row evolves independently', () => {
  const B = 3;
  const f = fieldFromFunction((o, _t, y) => { for (let b = 0; b < B; b++) { o[2 * b] = -y[2 * b + 1]; o[2 * b + 1] = y[2 * b]; } }, 2 * B);
  const y0 = Float64Array.of(1, 0, 0, 1, 2, 0);
  const sol = solve(f, y0, { t0: 0, t1: 1, rtol: 1e-9, atol: 1e-9, shape: [B, 2] });
  assert.deepEqual(sol.shape, [3, 2]);
  const want = [Math.cos(1), Math.sin(1), -Math.sin(1), Math.cos(1), 2 * Math.cos(1), 2 * Math.sin(1)];
  want.forEach((v, i) => assert.ok(Math.abs(sol.yFinal[i] - v) < 1e-8));
});
