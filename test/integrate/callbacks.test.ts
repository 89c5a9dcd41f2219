/**
 * Per-step heuristics (onStep: E, error vector, the stiffness estimate of Shampine 1977 / Pal 2023 thesis §2.4), the onAccept hook
 * gradient methods record from, custom norms (a seminorm on an augmented state) and custom controllers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve } from '../../src/gradients/solve.ts';
import { fieldFromFunction } from '../../src/core/field.ts';
import { rmsNormRange, type Norm } from '../../src/control/norms.ts';
import { PIController, type StepSizeController } from '../../src/control/pi.ts';
import { erkStageInput } from '../../src/solvers/erk.ts';
import type { AcceptedStep, StepInfo } from '../../src/integrate/options.ts';
import { P2 } from '../fixtures/problems.ts';

test('stiffness: for y\' = −50(y − cos t) the Tsit5 and DP5 estimates are 50 at every step', () => {
  const stiff = fieldFromFunction((o, t, y) => { o[0] = -50 * (y[0] - Math.cos(t)); }, 1);
  for (const method of ['tsit5', 'dopri5']) {
    const rho: number[] = [];
    solve(stiff, Float64Array.of(0), { t0: 0, t1: 2, method, onStep: (i) => { rho.push(i.stiffness); } });
    assert.ok(rho.length > 10);
    for (const r of rho) assert.ok(Math.abs(r - 50) <= 1e-9 * 50, `${method}: ρ̂ = ${r}`);
  }
});

test('stiffness: for y\' = Ay with symmetric A the estimate lies in [min|λ|, max|λ|]; NaN for BS3', () => {
  // A = [[-3, 1, 0], [1, -5, 2], [0, 2, -8]]: symmetric, eigenvalues all negative.
  const A = [[-3, 1, 0], [1, -5, 2], [0, 2, -8]];
  const lin = fieldFromFunction((o, _t, y) => { for (let i = 0; i < 3; i++) o[i] = A[i][0] * y[0] + A[i][1] * y[1] + A[i][2] * y[2]; }, 3);
  // Eigenvalues (numpy.linalg.eigvalsh): −9.03404184, −4.51346478, −2.45249339.
  const rho: number[] = [];
  solve(lin, Float64Array.of(1, -2, 0.5), { t0: 0, t1: 3, onStep: (i) => { rho.push(i.stiffness); } });
  assert.ok(rho.length > 5);
  for (const r of rho) assert.ok(r >= 2.45249339 - 1e-8 && r <= 9.03404184 + 1e-8, `ρ̂ = ${r}`);
  const none: number[] = [];
  solve(lin, Float64Array.of(1, -2, 0.5), { t0: 0, t1: 1, method: 'bs3', onStep: (i) => { none.push(i.stiffness); } });
  assert.ok(none.every(Number.isNaN));
});

test('onStep sees every attempt with E and the error vector; accepted flags agree with the stats', () => {
  const infos: { E: number; accepted: boolean; errNorm: number; h: number }[] = [];
  let last: StepInfo | null = null;
  const sol = solve(P2.field, P2.y0, { t0: 0, t1: 10, method: 'dopri5', rtol: 1e-6, atol: 1e-9, onStep: (i) => {
    if (last !== null) assert.equal(i, last, 'the info object is reused');
    last = i;
    infos.push({ E: i.E, accepted: i.accepted, errNorm: i.err ? Math.hypot(i.err[0], i.err[1]) : NaN, h: i.h });
  } });
  assert.equal(infos.length, sol.stats.nSteps);
  assert.equal(infos.filter((i) => i.accepted).length, sol.stats.nAccepted);
  assert.ok(infos.every((i) => i.accepted === i.E <= 1));
  assert.ok(infos.every((i) => i.errNorm > 0));
  assert.deepEqual(infos.filter((i) => i.accepted).map((i) => i.h), Array.from(sol.stepSizes));
  // A regulariser accumulating Σ E_j |h_j| over accepted steps (Pal 2023 thesis Ch. 5: (R_E)_g = Σ_j (E_Est)_j·|dt_j|) costs no extra NFE.
  let R = 0;
  const withReg = solve(P2.field, P2.y0, { t0: 0, t1: 10, method: 'dopri5', rtol: 1e-6, atol: 1e-9, onStep: (i) => { if (i.accepted) R += i.E * Math.abs(i.h); } });
  assert.ok(R > 0 && R < 10);
  assert.deepEqual(withReg.stats, sol.stats);
});

test('fixed-step solves still report E to callbacks when the method has an error estimate', () => {
  const Es: number[] = [];
  solve(P2.field, P2.y0, { t0: 0, t1: 1, method: 'tsit5', adaptive: false, stepSize: 0.1, onStep: (i) => { Es.push(i.E); } });
  assert.equal(Es.length, 10);
  assert.ok(Es.every((E) => E > 0 && Number.isFinite(E)));
  const none: number[] = [];
  solve(P2.field, P2.y0, { t0: 0, t1: 1, method: 'rk4', stepSize: 0.1, onStep: (i) => { none.push(i.E); } });
  assert.ok(none.every(Number.isNaN));
});

test('onAccept: y, yNew, t, h and the stage derivatives k_i = f(t + c_i h, Y_i) of each accepted step', () => {
  let n = 0;
  let prevNew: number[] | null = null;
  const sol = solve(P2.field, P2.y0, { t0: 0, t1: 5, method: 'tsit5', rtol: 1e-6, atol: 1e-9, onAccept: (r: AcceptedStep) => {
    assert.equal(r.n, n++);
    if (prevNew) assert.deepEqual(Array.from(r.y), prevNew, 'y_n is the previous y_{n+1}');
    prevNew = Array.from(r.yNew);
    const T = r.tableau!;
    assert.equal(T.name, 'tsit5');
    assert.equal(r.k.length, 7);
    const Yi = new Float64Array(2), f = new Float64Array(2);
    for (let i = 0; i < 7; i++) {
      erkStageInput(Yi, T, i, r.h, r.y as Float64Array, r.k);
      P2.field.eval(f, r.t + T.c[i] * r.h, Yi, new Float64Array(0));
      assert.deepEqual(Array.from(r.k[i]), Array.from(f), `stage ${i + 1} of step ${r.n}`);
    }
    // y_{n+1} = y_n + h Σ b_i k_i (Tsit5 is FSAL: it is also Y_7).
    assert.deepEqual(Array.from(r.yNew), Array.from(erkStageInput(Yi, T, 6, r.h, r.y as Float64Array, r.k)));
    assert.ok(r.E <= 1);
  } });
  assert.equal(n, sol.stats.nAccepted);
  assert.deepEqual(prevNew, Array.from(sol.yFinal));
});

test('a seminorm on an augmented state: solve() accepts a custom norm and controls only the chosen blocks', () => {
  // Augmented [y (2), q (1)] with q' = 1e6·|y|²: q is huge and fast but ignored by the seminorm, as a_θ is in adjoints.
  const aug = fieldFromFunction((o, _t, z) => { o[0] = -z[1]; o[1] = z[0]; o[2] = 1e6 * (z[0] * z[0] + z[1] * z[1]) * (1 + Math.sin(50 * z[2] * 1e-6)); }, 3);
  const semi: Norm = (err, y0, y1, rtol, atol) => rmsNormRange(err, y0, y1, rtol, atol, 0, 2);
  const z0 = Float64Array.of(1, 0, 0);
  const full = solve(aug, z0, { t0: 0, t1: 5, rtol: 1e-6, atol: 1e-9 });
  const part = solve(aug, z0, { t0: 0, t1: 5, rtol: 1e-6, atol: 1e-9, norm: semi });
  const plain = solve(P2.field, P2.y0, { t0: 0, t1: 5, rtol: 1e-6, atol: 1e-9 });
  assert.ok(part.stats.nfe < full.stats.nfe, `seminorm ${part.stats.nfe} vs full ${full.stats.nfe}`);
  assert.ok(Math.abs(part.yFinal[0] - Math.cos(5)) < 1e-5 && Math.abs(part.yFinal[1] - Math.sin(5)) < 1e-5);
  assert.ok(Math.abs(part.stats.nfe - plain.stats.nfe) <= 24, 'the ignored block does not drive the step');
});

test('a custom controller object is reset, consulted for every attempt, and may reject', () => {
  const calls: string[] = [];
  const inner = new PIController();
  const ctl: StepSizeController = {
    name: 'logging',
    reset: (p, g) => { calls.push(`reset ${p}`); inner.reset(p, g); },
    // A controller 500× stricter than the tolerances say.
    accept: (E) => 500 * E <= 1,
    factor: (E, ok) => { calls.push(ok ? 'a' : 'r'); return inner.factor(500 * E, ok); },
  };
  const sol = solve(P2.field, P2.y0, { t0: 0, t1: 3, controller: ctl });
  assert.equal(calls[0], 'reset 5');
  assert.equal(calls.length - 1, sol.stats.nSteps);
  const strict = solve(P2.field, P2.y0, { t0: 0, t1: 3 });
  assert.ok(sol.stats.nAccepted > strict.stats.nAccepted, `${sol.stats.nAccepted} accepted`);
  // The same object serves a second solve (reset again).
  solve(P2.field, P2.y0, { t0: 0, t1: 1, controller: ctl });
  assert.equal(calls.filter((c) => c.startsWith('reset')).length, 2);
  // A controller that grows the step after rejecting it would loop forever: that is an error.
  const broken: StepSizeController = { name: 'broken', reset: () => {}, accept: () => false, factor: () => 1.5 };
  assert.throws(() => solve(P2.field, P2.y0, { t0: 0, t1: 3, controller: broken }), /controller 'broken' returned factor 1.5 for a rejected step/);
});
