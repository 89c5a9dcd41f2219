/** The forward stability check of fixed-step solves: unstable steps fail with the largest stable step; stable ones pass. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve, fieldFromTrace, ops, coupledSolver, tableaus, mlp, fieldFromModel, Rng, TideError } from '../../src/index.ts';
import { throwsTide } from '../oracles/throws.ts';

const decay = fieldFromTrace((_t, y) => ops.neg(y), { shape: [1], name: 'decay' });

test('reversible midpoint, λ = 0.999, y\' = −y, h = 0.01, T = 50: UNSTABLE with the largest stable step (≈ 1 − λ) and the λ advice', () => {
  const m = coupledSolver(tableaus.midpoint, { lambda: 0.999 });
  assert.throws(() => solve(decay, Float64Array.of(1), { t1: 50, method: m, stepSize: 0.01 }), (e: unknown) => {
    assert.ok(e instanceof TideError && e.code === 'UNSTABLE', String(e));
    assert.match(e.message, /eigenvalue ≈ -1\.000.*largest stable step there is ≈ 0\.00100.*lower λ/);
    assert.ok(Math.abs((e.details.largestStableStep as number) - 0.001) < 2e-5);
    return true;
  });
  // The blow-up the check prevents (the parasitic y − z mode grows once h·|α| > 1 − λ): |y_N| > 1 although the true y(50) = e^−50.
  const sol = solve(decay, Float64Array.of(1), { t1: 50, method: m, stepSize: 0.01, stabilityCheck: false });
  assert.ok(Math.abs(sol.yFinal[0]) > 1, `${sol.yFinal[0]}`);
});

test('λ = 0.9 is stable on the same problem and accurate', () => {
  const sol = solve(decay, Float64Array.of(1), { t1: 50, method: coupledSolver(tableaus.midpoint, { lambda: 0.9 }), stepSize: 0.01 });
  assert.ok(Math.abs(sol.yFinal[0]) < 1e-15);
});

test('explicit Euler past its interval (hα = −2.5): UNSTABLE, largest stable step 2', () => {
  throwsTide(() => solve(decay, Float64Array.of(1), { t1: 300, method: 'euler', stepSize: 2.5 }), 'UNSTABLE', /grows by 1\.500 per step.*largest stable step there is ≈ 2\.00/);
});

test('reversible Heun and MALI on a damped tanh-MLP field (the diffrax #417 drift): UNSTABLE, with the coupled wrapper as the fix', () => {
  const net = mlp([2, 16, 2], { activation: 'tanh' });
  const p = new Float64Array(net.paramCount); net.init(p, new Rng(0));
  const damp = fieldFromTrace((_t, y, q) => ops.sub(ops.model(net, q, y), ops.scale(y, 3)), { shape: [1, 2], paramCount: net.paramCount });
  for (const method of ['reversible-heun', 'mali']) {
    throwsTide(() => solve(damp, Float64Array.of(0.4, 0.1), { t1: 20, method, stepSize: 0.01, params: p }), 'UNSTABLE', /no stable step for this mode.*λ-coupled reversible wrapper/);
  }
  // The λ-coupled wrapper with a small λ is stable there.
  const ok = solve(damp, Float64Array.of(0.4, 0.1), { t1: 20, method: coupledSolver(tableaus.midpoint, { lambda: 0.9 }), stepSize: 0.01, params: p });
  assert.ok(Math.hypot(...ok.yFinal) < 1);
});

test('neutral dynamics (a pendulum) and a stable RK step pass for every solver; short solves are not checked', () => {
  const pend = fieldFromTrace((_t, y, p) => ops.concat([ops.slice(y, 1, 1), ops.mul(ops.neg(ops.at(p, 0)), ops.sin(ops.slice(y, 0, 1)))]), { shape: [2], paramCount: 1 });
  for (const method of ['rk4', 'midpoint', 'reversible-rk4', 'reversible-heun', 'mali']) {
    const sol = solve(pend, Float64Array.of(1, 0), { t1: 100, method, stepSize: 1e-3, params: Float64Array.of(1) });
    assert.ok(Math.abs(sol.yFinal[0]) < 1.01, method);
  }
  // 50 steps: not checked (the growth cannot reach 10³ from a mild instability).
  solve(decay, Float64Array.of(1), { t1: 0.5, method: coupledSolver(tableaus.midpoint, { lambda: 0.999 }), stepSize: 0.01 });
  throwsTide(() => solve(decay, Float64Array.of(1), { t1: 1, stepSize: 0.1, method: 'rk4', stabilityCheck: 'yes' as never }), 'BAD_OPTION', /stabilityCheck must be true or false/);
});

test('a model field gets the same check (no VJP needed: finite-difference Jacobian products)', () => {
  const net = mlp([1, 4, 1], { activation: 'tanh' });
  const p = new Float64Array(net.paramCount); net.init(p, new Rng(1));
  const f = fieldFromModel(net, 1);
  const sol = solve(f, Float64Array.of(0.3), { t1: 5, method: 'rk4', stepSize: 0.01, params: p });
  assert.ok(Number.isFinite(sol.yFinal[0]));
});
