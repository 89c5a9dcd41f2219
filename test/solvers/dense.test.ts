/**
 * Dense output (Tsitouras 2011's free interpolant, Shampine's 4th-order continuous extension of DP5 as in Hairer's DOPRI5,
 * cubic Hermite for BS3) inside one step of y' = −y from y = 1, against values of an independent float64 reference implementation of the published tableaus (cross-checked against SciPy solve_ivp). Max error over θ ∈ [0, 1] for h = 0.2, 0.1,
 * 0.05 (ratios ≈ 32 for the 4th-order interpolants, ≈ 16 for Hermite) and the exact values at θ = ½.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { fieldFromFunction } from '../../src/core/field.ts';
import { assertRel } from '../fixtures/problems.ts';

const decay = fieldFromFunction((o, _t, y) => { o[0] = -y[0]; }, 1);

function oneStep(method: string, h: number) {
  return solve(decay, Float64Array.of(1), { t0: 0, t1: h, method, adaptive: false, stepSize: h, saveAt: { dense: true } });
}

function maxDenseError(method: string, h: number): number {
  const sol = oneStep(method, h);
  const out = new Float64Array(1);
  let m = 0;
  for (let i = 0; i <= 2000; i++) {
    const theta = i / 2000;
    m = Math.max(m, Math.abs(sol.evaluate(theta * h, out)[0] - Math.exp(-theta * h)));
  }
  return m;
}

const table: [string, number[]][] = [
  ['tsit5', [6.247e-08, 1.623e-09, 4.597e-11]],
  ['dopri5', [1.240e-07, 3.475e-09, 1.025e-10]],
  ['bs3', [6.435e-05, 4.089e-06, 2.579e-07]],
];

test('max dense-output error in one step for h = 0.2, 0.1, 0.05', () => {
  for (const [m, want] of table) [0.2, 0.1, 0.05].forEach((h, i) => assertRel(maxDenseError(m, h), want[i], 0.01, `${m} h=${h}`));
});

test('dense-output error ratios: ≈32 (O(h⁵) local) for tsit5/dopri5, ≈16 (O(h⁴)) for Hermite', () => {
  for (const [m, p] of [['tsit5', 5], ['dopri5', 5], ['bs3', 4], ['rk4', 4], ['midpoint', 3]] as const) {
    const r = Math.log2(maxDenseError(m, 0.1) / maxDenseError(m, 0.05));
    assert.ok(Math.abs(r - p) < 0.3, `${m}: log2 ratio ${r.toFixed(2)}, expected ≈ ${p}`);
  }
});

test('reference values at h = 0.1, θ = ½ to 1e-15', () => {
  const want: [string, number][] = [['tsit5', 0.9512294232962196], ['dopri5', 0.9512294212687002], ['bs3', 0.9512270833333334]];
  for (const [m, v] of want) {
    const got = oneStep(m, 0.1).evaluate(0.05)[0];
    assert.ok(Math.abs(got - v) <= 1e-15, `${m}: ${got} vs ${v}`);
  }
});

test('dense output is exact at step ends (θ = 1 returns y_{n+1}) and at t0', () => {
  for (const m of ['tsit5', 'dopri5', 'bs3', 'rk4', 'vcab3']) {
    const sol = solve(decay, Float64Array.of(1), { t0: 0, t1: 2, method: m, saveAt: { dense: true, steps: true, t0: true }, ...(m === 'rk4' ? { stepSize: 0.1 } : {}) });
    for (let i = 0; i < sol.count; i++) assert.equal(sol.evaluate(sol.ts[i])[0], sol.y(i)[0], `${m} at ts[${i}] = ${sol.ts[i]}`);
  }
});

test('dense output is continuous across steps and accurate over a whole adaptive solve', () => {
  const rot = fieldFromFunction((o, _t, y) => { o[0] = -y[1]; o[1] = y[0]; }, 2);
  for (const m of ['tsit5', 'dopri5', 'bs3', 'vcab3']) {
    const sol = solve(rot, Float64Array.of(1, 0), { t0: 0, t1: 10, method: m, rtol: 1e-8, atol: 1e-8, saveAt: { dense: true } });
    let worst = 0;
    for (let i = 0; i <= 997; i++) {
      const t = (10 * i) / 997;
      const y = sol.evaluate(t);
      worst = Math.max(worst, Math.abs(y[0] - Math.cos(t)), Math.abs(y[1] - Math.sin(t)));
    }
    assert.ok(worst < 2e-6, `${m}: worst dense error ${worst}`);
  }
});
