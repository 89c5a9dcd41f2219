/** AdamW (Loshchilov & Hutter 2019, Algorithm 2, PyTorch form) against reference.ts and hand values. */
import { test } from 'node:test';
import { adamw } from '../../src/optim/adamw.ts';
import { assertClose } from './util.ts';
import { DEFAULTS, G, GS, P0, adamScalar, checkAgainst, col, run, type Hyper } from './reference.ts';

test('adamw: decoupled decay with a constant gradient: θ_t = θ_{t−1}(1 − αλ) − α g/(|g| + ε) (hand values)', () => {
  const lr = 0.01, wd = 0.5;
  const out = run(adamw({ lr, weightDecay: wd }), () => G);
  const p = [...P0];
  for (let t = 0; t < 3; t++) {
    for (let i = 0; i < p.length; i++) p[i] = p[i] * (1 - lr * wd) - lr * G[i] / (Math.abs(G[i]) + 1e-8);
    assertClose(out[t], p, 1e-11, 1e-15, `t=${t + 1}`);
  }
  assertClose(out[0][0], 1 * 0.995 - 0.01 * 0.3 / (0.3 + 1e-8), 1e-14); // 0.992000000333...
});

test('adamw: three steps match Algorithm 2; default weight decay is 0.01', () => {
  const h: Hyper = { ...DEFAULTS, wd: 0.01 };
  checkAgainst(run(adamw(), (t) => GS[t]), (i) => adamScalar(P0[i], col(i), h, 'adamw'), 'defaults');
  const h2: Hyper = { lr: 0.1, b1: 0.5, b2: 0.99, eps: 1e-8, wd: 0.2 };
  const opt = adamw({ lr: h2.lr, beta1: h2.b1, beta2: h2.b2, weightDecay: h2.wd });
  checkAgainst(run(opt, (t) => GS[t]), (i) => adamScalar(P0[i], col(i), h2, 'adamw'), 'custom');
});

test('adamw: amsgrad is supported and equals AMSGrad on the decayed parameters', () => {
  const opt = adamw({ lr: 0.05, beta2: 0.9, weightDecay: 0, amsgrad: true });
  const h: Hyper = { lr: 0.05, b1: 0.9, b2: 0.9, eps: 1e-8, wd: 0 };
  checkAgainst(run(opt, (t) => GS[t]), (i) => adamScalar(P0[i], col(i), h, 'amsgrad'), 'adamw-amsgrad');
});
