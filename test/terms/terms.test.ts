/**
 * Terms prove the one-loop design: an SDE solved with Euler–Maruyama (Itô) and Heun (Stratonovich) on a given
 * Brownian path, and a CDE on a linear control path, run through the same loop and tableaus as ODEs, with direct and
 * checkpoint gradients checked against central differences.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { solve, solveWithGradient } from '../../src/gradients/solve.ts';
import { odeTerm, controlTerm, diffusionTerm, sumTerms, linearPath, brownianPath } from '../../src/terms/index.ts';
import type { MatrixField } from '../../src/terms/index.ts';
import { fieldFromTrace, ops } from '../../src/core/autodiff/index.ts';
import { Rng } from '../../src/core/random.ts';
import { centralDiff, maxRelErr } from '../oracles/finite-diff.ts';

// Geometric Brownian motion dy = μ y dt + σ y dW, params [μ, σ]; the diffusion is diagonal.
const drift = fieldFromTrace((_t, y, p) => ops.mul(ops.at(p, 0), y), { shape: [2], paramCount: 2 });
const gbmNoise: MatrixField = {
  dim: 2, controlDim: 2, paramCount: 2, name: 'σy',
  eval(out, _t, y, p) { for (let i = 0; i < 2; i++) out[i] = p[1] * y[i]; },
  vjp(dY, dP, V, _t, y, p) { for (let i = 0; i < 2; i++) dY[i] = p[1] * V[i]; if (dP) dP[1] += V[0] * y[0] + V[1] * y[1]; return 0; },
};

test('SDE: Euler–Maruyama on a Brownian path matches the hand-written Itô recursion exactly', () => {
  const W = brownianPath(0, 1, 64, 2, new Rng(7));
  const term = sumTerms(odeTerm(drift), diffusionTerm(gbmNoise, W, { diagonal: true }));
  const p = Float64Array.of(0.3, 0.5), y0 = Float64Array.of(1, 2);
  const sol = solve(term, y0, { t1: 1, params: p, method: 'euler', stepSize: 1 / 64 });
  const y = Float64Array.from(y0), a = new Float64Array(2), b = new Float64Array(2), dW = new Float64Array(2);
  for (let n = 0; n < 64; n++) {
    W.evaluate(a, n / 64); W.evaluate(b, (n + 1) / 64);
    for (let i = 0; i < 2; i++) { dW[i] = b[i] - a[i]; y[i] = y[i] + 0.3 * y[i] / 64 + 0.5 * y[i] * dW[i]; }
  }
  for (let i = 0; i < 2; i++) assert.ok(Math.abs(sol.yFinal[i] - y[i]) < 1e-14 * Math.abs(y[i]), `${sol.yFinal[i]} vs ${y[i]}`);
});

test('SDE: Heun converges to the Stratonovich solution y0·exp(μt + σW_t); Euler–Maruyama to the Itô one', () => {
  // Strong convergence on one fine path: Heun's error shrinks ~h (order 1 for commutative noise), EM's to Itô too.
  const steps = 4096, W = brownianPath(0, 1, steps, 2, new Rng(11));
  const term = sumTerms(odeTerm(drift), diffusionTerm(gbmNoise, W, { diagonal: true }));
  const p = Float64Array.of(0.3, 0.5), y0 = Float64Array.of(1, 2), w1 = new Float64Array(2);
  W.evaluate(w1, 1);
  const strat = (i: number): number => y0[i] * Math.exp(0.3 + 0.5 * w1[i]);
  const ito = (i: number): number => y0[i] * Math.exp(0.3 - 0.125 + 0.5 * w1[i]);
  const err = (method: string, n: number, exact: (i: number) => number): number => {
    const sol = solve(term, y0, { t1: 1, params: p, method, stepSize: 1 / n });
    return Math.max(Math.abs(sol.yFinal[0] - exact(0)), Math.abs(sol.yFinal[1] - exact(1)));
  };
  const h1 = err('heun', 256, strat), h2 = err('heun', 4096, strat);
  assert.ok(h2 < h1 / 4 && h2 < 2e-3, `Heun Stratonovich errors ${h1}, ${h2}`);
  const e1 = err('euler', 4096, ito);
  assert.ok(e1 < 0.05, `EM Itô error ${e1}`);
  // And Heun is not converging to the Itô solution.
  assert.ok(err('heun', 4096, ito) > 5 * h2);
});

// A CDE dy = tanh(A y)·dX with a 2-channel piecewise-linear control; params A (2×2, the field is 2 × 2).
const cdeField: MatrixField = {
  dim: 2, controlDim: 2, paramCount: 4, name: 'tanh(Ay)',
  eval(out, _t, y, A) {
    for (let i = 0; i < 2; i++) { const z = A[2 * i] * y[0] + A[2 * i + 1] * y[1]; const v = Math.tanh(z); out[2 * i] = v; out[2 * i + 1] = 0.5 * v * y[i]; }
  },
  vjp(dY, dA, V, _t, y, A) {
    dY.fill(0);
    for (let i = 0; i < 2; i++) {
      const z = A[2 * i] * y[0] + A[2 * i + 1] * y[1], v = Math.tanh(z), dv = 1 - v * v;
      // out[2i] = v, out[2i+1] = 0.5 v y_i.
      const dz = dv * (V[2 * i] + 0.5 * y[i] * V[2 * i + 1]);
      dY[i] += 0.5 * v * V[2 * i + 1];
      dY[0] += dz * A[2 * i]; dY[1] += dz * A[2 * i + 1];
      if (dA) { dA[2 * i] += dz * y[0]; dA[2 * i + 1] += dz * y[1]; }
    }
    return 0;
  },
};
const X = linearPath([0, 0.4, 1.1, 2], [0, 0, 0.5, -0.3, 1.2, 0.4, 0.7, 1.5], 2);

for (const method of ['heun', 'rk4', 'midpoint', 'bs3']) {
  for (const gradient of ['direct', 'checkpoint']) {
    test(`CDE on a linear control path (${method}, gradient '${gradient}'): dParams and dY0 match central differences`, () => {
      const term = controlTerm(cdeField, X);
      const A = Float64Array.of(0.8, -0.4, 0.3, 1.1), y0 = Float64Array.of(0.5, -0.2);
      const o = { t1: 2, method, stepSize: 0.05, adaptive: false, saveAt: { ts: [0.7, 1.33, 2], t0: false, t1: false } };
      const loss = (ys: Float64Array): number => { let L = 0; for (let i = 0; i < ys.length; i++) L += Math.sin(i + 1) * ys[i] + 0.5 * ys[i] * ys[i]; return L; };
      const sol = solveWithGradient(term, y0, { ...o, params: A, gradient });
      const dYs = sol.ys.map((v, i) => Math.sin(i + 1) + v);
      const g = sol.backward(dYs);
      const fdP = centralDiff((a) => loss(solve(term, y0, { ...o, params: a }).ys), A);
      const fdY = centralDiff((y) => loss(solve(term, y, { ...o, params: A }).ys), y0);
      assert.ok(maxRelErr(g.dParams, fdP) < 1e-7, `dParams ${g.dParams} vs ${fdP}`);
      assert.ok(maxRelErr(g.dY0, fdY) < 1e-7, `dY0 ${g.dY0} vs ${fdY}`);
    });
  }
}

for (const method of ['euler', 'heun']) {
  for (const gradient of ['direct', 'checkpoint']) {
    test(`SDE with drift + diffusion (${method}, gradient '${gradient}'): gradients match central differences`, () => {
      const W = brownianPath(0, 1, 50, 2, new Rng(3));
      const term = sumTerms(odeTerm(drift), diffusionTerm(gbmNoise, W, { diagonal: true }));
      const p = Float64Array.of(0.3, 0.5), y0 = Float64Array.of(1, 2);
      const o = { t1: 1, method, stepSize: 0.02, saveAt: { ts: [0.5, 1], t0: false, t1: false } };
      const loss = (ys: Float64Array): number => ys.reduce((s, v, i) => s + (i + 1) * v * v, 0);
      const sol = solveWithGradient(term, y0, { ...o, params: p, gradient });
      const g = sol.backward(sol.ys.map((v, i) => 2 * (i + 1) * v));
      const fdP = centralDiff((a) => loss(solve(term, y0, { ...o, params: a }).ys), p);
      const fdY = centralDiff((y) => loss(solve(term, y, { ...o, params: p }).ys), y0);
      assert.ok(maxRelErr(g.dParams, fdP) < 1e-7, `dParams ${g.dParams} vs ${fdP}`);
      assert.ok(maxRelErr(g.dY0, fdY) < 1e-7, `dY0 ${g.dY0} vs ${fdY}`);
    });
  }
}
