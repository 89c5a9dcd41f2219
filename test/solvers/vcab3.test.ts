/**
 * VCAB3 (Pal 2023 thesis §2.2.2; Hairer, Nørsett & Wanner I, §III.5, (5.9)–(5.10)). Uniform weights (23, −16, 5)/12;
 * Lagrange and divided-difference forms agree; quadratic f integrated exactly; third-order convergence on a fixed
 * nonuniform grid; adaptive counts (BS3 start-up + PI with p = 3) against an independent reference implementation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adamsStep, vcab3Weights } from '../../src/solvers/vcab3.ts';
import { solve } from '../../src/gradients/solve.ts';
import { P1, P2, assertRel } from '../fixtures/problems.ts';

const one = (x: number): Float64Array => Float64Array.of(x);

test('uniform steps give the weights (23, −16, 5)/12 · h', () => {
  for (const h of [1, 0.1, 0.37]) {
    const w = vcab3Weights(new Float64Array(3), h, h, h);
    [23 / 12, -16 / 12, 5 / 12].forEach((c, i) => assert.ok(Math.abs(w[i] - c * h) <= 1e-15 * Math.max(1, h), `w${i} h=${h}`));
  }
});

test('Lagrange and divided-difference forms agree to 1e-16 for (h, h1, h2) = (0.13, 0.07, 0.11)', () => {
  const [h, h1, h2] = [0.13, 0.07, 0.11];
  const f = [Math.cos(0), Math.cos(-h1), Math.cos(-h1 - h2)];
  const w = vcab3Weights(new Float64Array(3), h, h1, h2);
  const lagrange = w[0] * f[0] + w[1] * f[1] + w[2] * f[2];
  const y = new Float64Array(1);
  adamsStep(y, null, h, h1, h2, one(0), one(f[0]), one(f[1]), one(f[2]));
  assert.ok(Math.abs(y[0] - lagrange) <= 1e-16, `${y[0]} vs ${lagrange}`);
  assert.ok(Math.abs(y[0] - 0.1296364619301037) <= 1e-16, `increment ${y[0]}`);
});

test('a quadratic f(t) is integrated exactly on arbitrary steps, and the AB3 − AB2 error estimate matches', () => {
  const f = (t: number): number => 3 * t * t - 2 * t + 0.5;
  const F = (t: number): number => t ** 3 - t * t + 0.5 * t;
  for (const [tn, h, h1, h2] of [[1, 0.3, 0.1, 0.2], [0, 0.05, 0.5, 0.01], [2, -0.2, -0.1, -0.3]]) {
    const y = new Float64Array(1), err = new Float64Array(1);
    adamsStep(y, err, h, h1, h2, one(F(tn)), one(f(tn)), one(f(tn - h1)), one(f(tn - h1 - h2)));
    assert.ok(Math.abs(y[0] - F(tn + h)) <= 1e-14, `exact integral: ${y[0]} vs ${F(tn + h)}`);
    // AB2 (linear through f_n, f_{n−1}) integrates y_n + h f_n + h²/(2h1)(f_n − f_{n−1}); err = AB3 − AB2.
    const ab2 = F(tn) + h * f(tn) + ((h * h) / (2 * h1)) * (f(tn) - f(tn - h1));
    assert.ok(Math.abs(err[0] - (y[0] - ab2)) <= 1e-14, `error estimate ${err[0]} vs ${y[0] - ab2}`);
  }
});

test('third-order convergence on the nonuniform grid t_i = s + 0.1 sin(2πs)/(2π) with exact starting values', () => {
  const want = [1.611e-05, 2.119e-06, 2.713e-07, 3.431e-08];
  const errs = [20, 40, 80, 160].map((N) => {
    const t = Array.from({ length: N + 1 }, (_, i) => { const s = i / N; return s + (0.1 * Math.sin(2 * Math.PI * s)) / (2 * Math.PI); });
    // y' = −y: f = −y; exact values at t_0, t_1, t_2, then AB3 steps.
    const y = [Math.exp(-t[0]), Math.exp(-t[1]), Math.exp(-t[2])];
    const out = new Float64Array(1);
    for (let n = 2; n < N; n++) {
      adamsStep(out, null, t[n + 1] - t[n], t[n] - t[n - 1], t[n - 1] - t[n - 2], one(y[n]), one(-y[n]), one(-y[n - 1]), one(-y[n - 2]));
      y.push(out[0]);
    }
    return Math.abs(y[N] - Math.exp(-1));
  });
  errs.forEach((e, i) => assertRel(e, want[i], 0.01, `N=${[20, 40, 80, 160][i]}`));
  assert.ok(Math.abs(Math.log2(errs[2] / errs[3]) - 3) < 0.1);
});

test('adaptive VCAB3 counts (NFE/accepted/rejected) and errors, PI controller at p = 3', () => {
  const cases: [typeof P1, number, number, [number, number, number], number | null][] = [
    [P1, 1e-3, 1e-6, [106, 100, 0], 3.0e-7],
    [P2, 1e-3, 1e-6, [163, 157, 13], 1.3e-3],
    [P1, 1e-6, 1e-9, [909, 903, 0], null],
    [P2, 1e-6, 1e-9, [1525, 1519, 4], null],
  ];
  for (const [P, rtol, atol, [nfe, acc, rej], err] of cases) {
    const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method: 'vcab3', rtol, atol });
    const s = sol.stats;
    const what = `${P.name} rtol ${rtol}: ${s.nfe}/${s.nAccepted}/${s.nRejected}`;
    // ±1 attempt allowed (the reference implementation may order operations differently); an Adams attempt costs 0 or 1 NFE.
    assert.ok(Math.abs(s.nfe - nfe) <= 1 && Math.abs(s.nAccepted - acc) <= 1 && Math.abs(s.nRejected - rej) <= 1, what);
    if (err !== null) {
      const ex = P.exact(P.t1);
      const e = Math.max(...ex.map((v, i) => Math.abs(sol.yFinal[i] - v)));
      assert.ok(e <= 2 * err && e >= err / 2, `${what}: error ${e} vs ${err}`);
    }
  }
});

test('VCAB3 starts with exactly two BS3 steps (3 NFE each) and then spends 1 NFE per accepted Adams step', () => {
  const kinds: (string | null)[] = [];
  const sol = solve(P1.field, P1.y0, { t0: 0, t1: 1, method: 'vcab3', onAccept: (r) => { kinds.push(r.tableau ? r.tableau.name : null); } });
  assert.deepEqual(kinds.slice(0, 3), ['bs3', 'bs3', null]);
  assert.ok(kinds.slice(2).every((k) => k === null));
  assert.equal(sol.stats.nfe, 1 + 1 + 2 * 3 + (sol.stats.nAccepted - 2));
});
