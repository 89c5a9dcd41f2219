/**
 * Cross-checks against SciPy's solve_ivp (fixtures from test/fixtures/gen_scipy_refs.py; no Python needed here):
 * tide dopri5/tsit5 at rtol = atol = 1e-10 vs DOP853 at 1e-12 on Lotka–Volterra, the Chandrasekhar white dwarf and
 * Van der Pol μ = 1, 5, 10 at the saved times; and tide's ScipyController reproducing solve_ivp RK45/RK23 step counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { P1, P2, P3, lotkaVolterra, scipyRefs, vanDerPol, whiteDwarf } from '../fixtures/problems.ts';

const refs = scipyRefs();

test('fixtures are present and come from SciPy', () => {
  assert.equal(refs.trajectories.length, 5);
  assert.match(refs.scipy, /^\d+\.\d+/);
  // Independently computed reference values of the white dwarf (DOP853, rtol 1e-13) in the shifted clock s = t − 0.5.
  const wd = refs.trajectories.find((t) => t.name === 'white-dwarf')!;
  assert.ok(Math.abs(wd.ys[10][0] - 0.770330627304) < 1e-11 && Math.abs(wd.ys[50][1] - -0.070671017187) < 1e-11);
});

for (const tr of refs.trajectories) {
  test(`${tr.name}: dopri5 and tsit5 at rtol 1e-10 agree with DOP853 at every saved time`, () => {
    const field = tr.name.startsWith('lotka') ? lotkaVolterra : tr.name.startsWith('white') ? whiteDwarf : vanDerPol;
    const params = tr.name.startsWith('van') ? Float64Array.of(tr.params!.mu) : new Float64Array(0);
    for (const method of ['dopri5', 'tsit5']) {
      const sol = solve(field, Float64Array.from(tr.y0), { t0: tr.t0, t1: tr.t1, params, method, rtol: 1e-10, atol: 1e-10, saveAt: { ts: tr.ts } });
      assert.equal(sol.count, tr.ts.length);
      let worst = 0;
      for (let i = 0; i < tr.ts.length; i++) {
        assert.equal(sol.ts[i], tr.ts[i]);
        for (let j = 0; j < 2; j++) worst = Math.max(worst, Math.abs(sol.y(i)[j] - tr.ys[i][j]) / (1 + Math.abs(tr.ys[i][j])));
      }
      // Global error of a 1e-10 solve: ≤ 100 × rtol in |Δ|/(1 + |y|) (Van der Pol μ = 10 is the worst, ~7e-9).
      assert.ok(worst < 1e-8, `${method}: worst mixed error ${worst.toExponential(2)}`);
    }
  });
}

test('ScipyController + automatic initial step reproduce solve_ivp RK45 (dopri5) and RK23 (bs3) nfev and states', () => {
  const problems = { P1, P2, P3 };
  for (const row of refs.scipyRule) {
    const P = problems[row.problem];
    const sol = solve(P.field, P.y0, { t0: P.t0, t1: P.t1, method: row.method === 'RK45' ? 'dopri5' : 'bs3', rtol: row.rtol, atol: row.atol, controller: 'scipy' });
    const what = `${row.problem} ${row.method} rtol ${row.rtol}`;
    assert.equal(sol.stats.nfe, row.nfev, `${what}: nfev`);
    assert.equal(sol.stats.nAccepted, row.nAccepted, `${what}: accepted steps`);
    row.yFinal.forEach((v, j) => assert.ok(Math.abs(sol.yFinal[j] - v) <= 1e-12 * Math.max(1, Math.abs(v)), `${what}: y[${j}] ${sol.yFinal[j]} vs ${v}`));
  }
});
