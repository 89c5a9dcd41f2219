/** Terminal events located on the dense output, and steady-state termination. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { TideError } from '../../src/core/errors.ts';
import { fieldFromFunction } from '../../src/core/field.ts';

const fall = fieldFromFunction((o, _t, y) => { o[0] = y[1]; o[1] = -9.81; }, 2, 0, 'fall');
const tHit = Math.sqrt(20 / 9.81);

test('a falling ball stops where height crosses zero, located to ~1e-12 relative in t', () => {
  for (const method of ['tsit5', 'dopri5', 'bs3', 'vcab3']) {
    const sol = solve(fall, Float64Array.of(10, 0), { t0: 0, t1: 5, method, events: { condition: (_t, y) => y[0], name: 'ground' } });
    assert.equal(sol.status, 'event');
    assert.ok(sol.ok);
    assert.equal(sol.event!.index, 0);
    assert.equal(sol.event!.name, 'ground');
    assert.ok(Math.abs(sol.event!.t - tHit) <= 1e-12 * tHit, `${method}: t = ${sol.event!.t} vs ${tHit}`);
    assert.equal(sol.tFinal, sol.event!.t);
    assert.ok(Math.abs(sol.yFinal[0]) < 1e-10 && Math.abs(sol.yFinal[1] + 9.81 * tHit) < 1e-9);
    // The default t1 save is the state at the event.
    assert.equal(sol.ts[sol.count - 1], sol.event!.t);
  }
});

test('event location on a nonlinear problem matches the exact crossing of the solution', () => {
  // y' = −y, y(0) = 1: y = 0.3 at t = ln(1/0.3).
  const decay = fieldFromFunction((o, _t, y) => { o[0] = -y[0]; }, 1);
  const want = Math.log(1 / 0.3);
  const sol = solve(decay, Float64Array.of(1), { t0: 0, t1: 10, rtol: 1e-10, atol: 1e-12, events: { condition: (_t, y) => y[0] - 0.3 } });
  assert.ok(Math.abs(sol.event!.t - want) < 1e-9, `${sol.event!.t} vs ${want}`);
  // Fixed-step RK4 (Hermite dense output, one extra NFE per step to make it) locates it too.
  const rk4 = solve(decay, Float64Array.of(1), { t0: 0, t1: 10, method: 'rk4', stepSize: 0.01, events: { condition: (_t, y) => y[0] - 0.3 } });
  assert.ok(Math.abs(rk4.event!.t - want) < 1e-8);
});

test('direction filters, earliest of several events, backward solves', () => {
  // y' = 1 has zero error estimates, so steps grow tenfold each time; maxStep keeps two zeros of sin out of one step.
  const clock = fieldFromFunction((o) => { o[0] = 1; }, 1);
  const sin = (t: number): number => Math.sin(t);
  const rising = solve(clock, Float64Array.of(0), { t0: 0.5, t1: 10, maxStep: 0.5, events: { condition: sin, direction: 'rising' } });
  assert.ok(Math.abs(rising.event!.t - 2 * Math.PI) < 1e-9, `rising at ${rising.event!.t}`);
  const falling = solve(clock, Float64Array.of(0), { t0: 0.5, t1: 10, maxStep: 0.5, events: { condition: sin, direction: 'falling' } });
  assert.ok(Math.abs(falling.event!.t - Math.PI) < 1e-9);
  const both = solve(clock, Float64Array.of(0), { t0: 0.5, t1: 10, events: [{ condition: (t) => t - 7 }, { condition: (t) => t - 4, name: 'four' }] });
  assert.equal(both.event!.index, 1);
  assert.equal(both.event!.name, 'four');
  const back = solve(clock, Float64Array.of(0), { t0: 10, t1: 0, events: { condition: (t) => t - 2.5 } });
  assert.ok(Math.abs(back.event!.t - 2.5) < 1e-12);
});

test('saves stop at the event; a zero of g at t0 is not a crossing; evaluate stops at the event time', () => {
  const sol = solve(fall, Float64Array.of(10, 0), { t0: 0, t1: 5, events: { condition: (_t, y) => y[0] },
    saveAt: { ts: [0.5, 1, 1.5, 2, 4], steps: true, dense: true, t1: true } });
  const ts = Array.from(sol.ts);
  assert.ok(ts.includes(1.4) === false && ts.includes(1.5) === false && ts.includes(2) === false);
  assert.deepEqual(ts.filter((t) => [0.5, 1].includes(t)), [0.5, 1]);
  assert.equal(ts[ts.length - 1], sol.event!.t);
  assert.equal(ts[ts.length - 2], sol.event!.t, 'the last steps row is the event state');
  assert.throws(() => sol.evaluate(2), /outside the solved interval/);
  assert.ok(Math.abs(sol.evaluate(1)[0] - (10 - 0.5 * 9.81)) < 1e-10);
  const start = solve(fall, Float64Array.of(0, 5), { t0: 0, t1: 2, events: { condition: (_t, y) => y[0] } });
  assert.ok(Math.abs(start.event!.t - 10 / 9.81) < 1e-12, 'leaves 0 upward, comes back down');
});

test('an event condition that returns NaN is a NONFINITE error naming the event', () => {
  assert.throws(() => solve(fall, Float64Array.of(10, 0), { t0: 0, t1: 5, events: { condition: (t) => (t > 1 ? NaN : 1), name: 'bad' } }),
    (e: unknown) => e instanceof TideError && e.code === 'NONFINITE' && /event 0 'bad' returned number NaN at t = /.test(e.message));
});

test('steady state: stop when RMS(f / (atol + rtol|y|)) < threshold', () => {
  const decay = fieldFromFunction((o, _t, y) => { o[0] = -y[0]; }, 1);
  const sol = solve(decay, Float64Array.of(1), { t0: 0, t1: 1000, steadyState: true });
  assert.equal(sol.status, 'steady-state');
  assert.ok(sol.ok);
  // |f| = |y| < 1e-6 + 1e-3|y|  ⇔  y < ~1.001e-6, i.e. t ≈ ln(1e6) ≈ 13.8.
  assert.ok(sol.tFinal > 12 && sol.tFinal < 16, `stopped at ${sol.tFinal}`);
  assert.ok(Math.abs(sol.yFinal[0]) < 1.01e-6);
  const tighter = solve(decay, Float64Array.of(1), { t0: 0, t1: 1000, steadyState: { threshold: 1e-3 } });
  assert.ok(tighter.tFinal > sol.tFinal + 5);
  // A deep-equilibrium style field z' = tanh(W z + b) − z converges to its fixed point.
  const W = [0.3, -0.2, 0.1, 0.4], b = [0.5, -0.3];
  const deq = fieldFromFunction((o, _t, z) => {
    o[0] = Math.tanh(W[0] * z[0] + W[1] * z[1] + b[0]) - z[0];
    o[1] = Math.tanh(W[2] * z[0] + W[3] * z[1] + b[1]) - z[1];
  }, 2);
  const eq = solve(deq, Float64Array.of(0, 0), { t0: 0, t1: 1e6, rtol: 1e-8, atol: 1e-8, steadyState: true });
  assert.equal(eq.status, 'steady-state');
  const z = eq.yFinal;
  assert.ok(Math.abs(Math.tanh(W[0] * z[0] + W[1] * z[1] + b[0]) - z[0]) < 1e-7);
  // Non-FSAL fixed-step methods pay one f per step for the test (reused as the next k1: same NFE as without).
  const rk = solve(decay, Float64Array.of(1), { t0: 0, t1: 100, method: 'rk4', stepSize: 0.1, steadyState: true });
  assert.equal(rk.status, 'steady-state');
  assert.equal(rk.stats.nfe, 4 * rk.stats.nAccepted + 1);
});
