/** Adam (Kingma & Ba 2015, Algorithm 1, PyTorch form) and AMSGrad against reference.ts and hand values. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { adam } from '../../src/optim/adam.ts';
import { adamw } from '../../src/optim/adamw.ts';
import { assertClose } from './util.ts';
import { DEFAULTS, G, GS, P0, adamScalar, checkAgainst, col, run, type Hyper } from './reference.ts';

test('adam: with a constant gradient every step is lr·g/(|g| + eps) (hand values, defaults)', () => {
  // m̂ = g and v̂ = g² exactly for constant g, so each update moves θ by α g/(|g| + ε).
  const out = run(adam(), () => G);
  for (let t = 0; t < 3; t++) {
    assertClose(out[t], P0.map((p, i) => p - (t + 1) * 1e-3 * G[i] / (Math.abs(G[i]) + 1e-8)), 1e-11, 1e-15, `t=${t + 1}`);
  }
  // First step by hand: 1 − 1e-3·0.3/(0.3 + 1e-8); the tiny gradient 1e-9 moves by only 1e-3/11.
  assertClose(out[0][0], 0.999000000033333, 1e-14);
  assertClose(out[0][3], -1e-3 / 11, 1e-12);
});

test('adam: three steps with changing gradients match Algorithm 1 (defaults and custom betas with L2 decay)', () => {
  checkAgainst(run(adam(), (t) => GS[t]), (i) => adamScalar(P0[i], col(i), DEFAULTS, 'adam'), 'defaults');
  const h: Hyper = { lr: 0.05, b1: 0.8, b2: 0.9, eps: 1e-6, wd: 0.1 };
  const opt = adam({ lr: h.lr, beta1: h.b1, beta2: h.b2, eps: h.eps, weightDecay: h.wd });
  checkAgainst(run(opt, (t) => GS[t]), (i) => adamScalar(P0[i], col(i), h, 'adam'), 'custom');
});

test('adam: amsgrad keeps the running max of v (differs from Adam where the gradient collapses)', () => {
  const h: Hyper = { lr: 0.05, b1: 0.8, b2: 0.9, eps: 1e-8, wd: 0 };
  const out = run(adam({ lr: h.lr, beta1: h.b1, beta2: h.b2, amsgrad: true }), (t) => GS[t]);
  checkAgainst(out, (i) => adamScalar(P0[i], col(i), h, 'amsgrad'), 'amsgrad');
  const plain = adamScalar(P0[1], col(1), h, 'adam');
  assert.ok(Math.abs(plain[1] - out[1][1]) > 1e-4, 'the test gradients must make vMax differ from v');
});

test('adam (property): the first update moves every parameter by less than lr; adamw with weightDecay 0 equals adam', () => {
  const vec = fc.integer({ min: 1, max: 16 }).chain((n) => fc.tuple(
    fc.float64Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 }),
    fc.float64Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -1e3, max: 1e3 }),
  ));
  fc.assert(fc.property(vec, fc.double({ min: 1e-6, max: 1, noNaN: true }), ([p, g], lr) => {
    const a = Float64Array.from(p), b = Float64Array.from(p);
    adam({ lr }).step(a, Float64Array.from(g));
    adamw({ lr, weightDecay: 0 }).step(b, Float64Array.from(g));
    for (let i = 0; i < p.length; i++) {
      if (!(Math.abs(a[i] - p[i]) <= lr * (1 + 1e-12) + 1e-12 * Math.abs(p[i]))) return false;
      if (a[i] !== b[i]) return false;
    }
    return true;
  }), { seed: 7, numRuns: 200 });
});
