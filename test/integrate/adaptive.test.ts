/**
 * Adaptive solves of P1 (y' = −y), P2 (a rotation) and P3 (torchdiffeq's SineODE) with the automatic initial step.
 * NFE/accepted/rejected must match an independent reference implementation (whose DP5 and BS3 reproduce SciPy
 * solve_ivp's RK45/RK23 nfev exactly) within ±1 attempt (they match exactly) and the error at t1 within a factor 2, for the PI controller
 * (default) and the I controller. Then rtol 1e-10 solves against exact solutions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { P1, P2, P3, type Problem } from '../fixtures/problems.ts';

type Row = [Problem, number, number, string, [number, number, number], number | null];

const pi: Row[] = [
  [P1, 1e-3, 1e-6, 'tsit5', [110, 18, 0], 3.9e-08], [P1, 1e-3, 1e-6, 'dopri5', [86, 14, 0], 1.9e-07], [P1, 1e-3, 1e-6, 'bs3', [119, 39, 0], 9.0e-07],
  [P1, 1e-6, 1e-9, 'tsit5', [308, 51, 0], 3.4e-11], [P1, 1e-6, 1e-9, 'dopri5', [266, 44, 0], 2.1e-10], [P1, 1e-6, 1e-9, 'bs3', [1010, 336, 0], 9.4e-10],
  [P2, 1e-3, 1e-6, 'tsit5', [128, 21, 0], 2.9e-04], [P2, 1e-3, 1e-6, 'dopri5', [98, 16, 0], 1.1e-03], [P2, 1e-3, 1e-6, 'bs3', [182, 59, 1], 3.3e-03],
  [P2, 1e-6, 1e-9, 'tsit5', [374, 62, 0], 1.2e-07], [P2, 1e-6, 1e-9, 'dopri5', [374, 56, 6], 8.6e-07], [P2, 1e-6, 1e-9, 'bs3', [1730, 564, 12], 3.2e-06],
  [P3, 1e-3, 1e-6, 'tsit5', [92, 15, 0], 1.1e-01], [P3, 1e-3, 1e-6, 'dopri5', [62, 10, 0], 3.5e-01], [P3, 1e-3, 1e-6, 'bs3', [131, 40, 3], 1.5e+00],
  [P3, 1e-6, 1e-9, 'tsit5', [242, 40, 0], 3.8e-04], [P3, 1e-6, 1e-9, 'dopri5', [194, 31, 1], 2.5e-04], [P3, 1e-6, 1e-9, 'bs3', [1022, 338, 2], 2.2e-03],
];

const iCtl: Row[] = [
  [P1, 1e-3, 1e-6, 'tsit5', [68, 11, 0], null], [P1, 1e-3, 1e-6, 'dopri5', [74, 12, 0], null], [P1, 1e-3, 1e-6, 'bs3', [74, 24, 0], null],
  [P1, 1e-6, 1e-9, 'tsit5', [218, 36, 0], null], [P1, 1e-6, 1e-9, 'dopri5', [248, 41, 0], null], [P1, 1e-6, 1e-9, 'bs3', [773, 257, 0], null],
  [P2, 1e-3, 1e-6, 'tsit5', [80, 13, 0], null], [P2, 1e-3, 1e-6, 'dopri5', [86, 14, 0], null], [P2, 1e-3, 1e-6, 'bs3', [164, 42, 12], null],
  [P2, 1e-6, 1e-9, 'tsit5', [338, 46, 10], null], [P2, 1e-6, 1e-9, 'dopri5', [386, 52, 12], null], [P2, 1e-6, 1e-9, 'bs3', [1487, 432, 63], null],
  [P3, 1e-3, 1e-6, 'tsit5', [56, 8, 1], null], [P3, 1e-3, 1e-6, 'dopri5', [62, 8, 2], null], [P3, 1e-3, 1e-6, 'bs3', [110, 29, 7], null],
  [P3, 1e-6, 1e-9, 'tsit5', [212, 29, 6], null], [P3, 1e-6, 1e-9, 'dopri5', [188, 28, 3], null], [P3, 1e-6, 1e-9, 'bs3', [866, 259, 29], null],
];

function check(rows: Row[], controller: 'pi' | 'i'): void {
  for (const [P, rtol, atol, method, [nfe, acc, rej], err] of rows) {
    const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method, rtol, atol, controller });
    const s = sol.stats;
    const what = `${controller} ${P.name} ${method} rtol ${rtol}: got ${s.nfe}/${s.nAccepted}/${s.nRejected}, want ${nfe}/${acc}/${rej}`;
    const perAttempt = method === 'bs3' ? 3 : 6;
    assert.ok(Math.abs(s.nfe - nfe) <= perAttempt && Math.abs(s.nAccepted - acc) <= 1 && Math.abs(s.nRejected - rej) <= 1, what);
    assert.equal(sol.status, 'success');
    assert.equal(sol.tFinal, P.t1);
    if (err !== null) {
      const ex = P.exact(P.t1);
      const e = Math.max(...ex.map((v, i) => Math.abs(sol.yFinal[i] - v)));
      assert.ok(e <= 2 * err && e >= err / 2, `${what}: error ${e.toExponential(2)} vs ${err}`);
    }
  }
}

test('PI controller (default): NFE/accepted/rejected and errors on P1–P3', () => check(pi, 'pi'));
test('I controller: NFE/accepted/rejected on P1–P3', () => check(iCtl, 'i'));

test('P1–P3 counts match the reference exactly (the ±1 allowance is not needed)', () => {
  for (const [rows, controller] of [[pi, 'pi'], [iCtl, 'i']] as const) {
    for (const [P, rtol, atol, method, want] of rows) {
      const s = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method, rtol, atol, controller }).stats;
      assert.deepEqual([s.nfe, s.nAccepted, s.nRejected], want, `${controller} ${P.name} ${method} rtol ${rtol}`);
    }
  }
});

test('Shampine DP5 error weights take ≈(3/2)^{1/5} larger steps (fewer NFE) than Hairer\'s', () => {
  const hairer = solve(P2.field, P2.y0, { t0: 0, t1: 10, method: 'dopri5', rtol: 1e-8, atol: 1e-8 }).stats.nfe;
  const shampine = solve(P2.field, P2.y0, { t0: 0, t1: 10, method: 'dopri5', dp5ErrorWeights: 'shampine', rtol: 1e-8, atol: 1e-8 }).stats.nfe;
  assert.ok(shampine < hairer, `${shampine} vs ${hairer}`);
  assert.ok(Math.abs(hairer / shampine - 1.5 ** 0.2) < 0.05, `ratio ${hairer / shampine}`);
});

test('rtol 1e-10 solves match exact solutions (P1–P3, forward and backward)', () => {
  for (const method of ['tsit5', 'dopri5', 'bs3', 'vcab3']) {
    for (const P of [P1, P2, P3]) {
      const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method, rtol: 1e-10, atol: 1e-10, saveAt: { ts: [P.t0 + 0.3 * (P.t1 - P.t0), P.t1] } });
      for (let i = 0; i < 2; i++) {
        const ex = P.exact(sol.ts[i]);
        ex.forEach((v, j) => {
          const rel = Math.abs(sol.y(i)[j] - v) / Math.max(1, Math.abs(v));
          // Global error ~ a few hundred × rtol for these spans (P3 grows like t⁴).
          assert.ok(rel < 1e-8, `${method} ${P.name} t=${sol.ts[i]}: rel error ${rel.toExponential(2)}`);
        });
      }
      // Backward, P1 grows like e^{10}: atol far below |y(10)| = 4.5e-5 keeps the start relatively accurate.
      const back = solve(P.field, Float64Array.from(P.exact(P.t1)), { t0: P.t1, t1: P.t0, method, rtol: 1e-10, atol: 1e-15 });
      P.exact(P.t0).forEach((v, j) => assert.ok(Math.abs(back.yFinal[j] - v) / Math.max(1, Math.abs(v)) < 1e-7, `${method} ${P.name} backward`));
    }
  }
});
