/** Adamax (Kingma & Ba 2015, §7.1, PyTorch form) against reference.ts and hand values. */
import { test } from 'node:test';
import { adamax } from '../../src/optim/adamax.ts';
import { assertClose } from './util.ts';
import { DEFAULTS, G, GS, P0, adamaxScalar, checkAgainst, col, run, type Hyper } from './reference.ts';

test('adamax: with a constant gradient each step is lr·g/(|g| + eps) (hand values, default lr 2e-3)', () => {
  // m_t/(1 − β1^t) = g and u_t = |g| + ε for constant g.
  const out = run(adamax(), () => G);
  for (let t = 0; t < 3; t++) {
    assertClose(out[t], P0.map((p, i) => p - (t + 1) * 2e-3 * G[i] / (Math.abs(G[i]) + 1e-8)), 1e-11, 1e-15, `t=${t + 1}`);
  }
});

test('adamax: three steps with changing gradients match Algorithm 2 (u keeps the decayed max)', () => {
  checkAgainst(run(adamax(), (t) => GS[t]), (i) => adamaxScalar(P0[i], col(i), { ...DEFAULTS, lr: 2e-3 }), 'defaults');
  const h: Hyper = { lr: 0.1, b1: 0.7, b2: 0.8, eps: 1e-8, wd: 0.05 };
  const opt = adamax({ lr: h.lr, beta1: h.b1, beta2: h.b2, weightDecay: h.wd });
  checkAgainst(run(opt, (t) => GS[t]), (i) => adamaxScalar(P0[i], col(i), h), 'custom');
  // By hand for i = 1 (g = 2, 0.01, 0): u1 = 2 + ε, u2 = 0.8·u1, u3 = 0.64·u1; m = 0.6, 0.423, 0.2961.
  const u1 = 2 + 1e-8;
  const pA = adamax({ lr: 0.1, beta1: 0.7, beta2: 0.8 });
  const p = Float64Array.from([-2]);
  pA.step(p, Float64Array.from([2]));
  assertClose(p[0], -2 - (0.1 / 0.3) * 0.6 / u1, 1e-14);
  pA.step(p, Float64Array.from([0.01]));
  assertClose(p[0], -2 - (0.1 / 0.3) * 0.6 / u1 - (0.1 / 0.51) * 0.423 / (0.8 * u1), 1e-14);
});
