/**
 * SGD against values written out by hand from the update rule (PyTorch semantics):
 *   b_1 = g, b_t = μ b_{t−1} + (1 − τ) g;  d = b_t, or g + μ b_t with Nesterov;  θ ← θ − η d;  L2: g ← g + λθ.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { sgd } from '../../src/optim/sgd.ts';
import { assertClose } from './util.ts';

const P0 = [1.0, -2.0, 0.5];
const G = [0.3, -0.1, 2.0];
/** Three different gradients, one per update. */
const GS = [[0.3, -0.1, 2.0], [0.5, 0.2, -1.0], [-0.4, 0.05, 0.7]];

/** Runs `steps` updates with grads from gradAt(t) (fresh copies, so clipping cannot leak); returns params after each. */
function run(opt: ReturnType<typeof sgd>, p0: number[], gradAt: (t: number, p: Float64Array) => number[], steps = 3): number[][] {
  const p = Float64Array.from(p0);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    opt.step(p, Float64Array.from(gradAt(t, p)));
    out.push(Array.from(p));
  }
  return out;
}

test('sgd: plain steps are θ − η g (hand values)', () => {
  const [p1, p2, p3] = run(sgd({ lr: 0.1 }), P0, () => G);
  assertClose(p1, [0.97, -1.99, 0.3]);
  assertClose(p2, [0.94, -1.98, 0.1]);
  assertClose(p3, [0.91, -1.97, -0.1]);
});

test('sgd: momentum 0.9 with a constant gradient moves by η(1, 1.9, 2.71)·g (hand values)', () => {
  // b1 = g, b2 = 0.9 g + g = 1.9 g, b3 = 0.9·1.9 g + g = 2.71 g.
  const out = run(sgd({ lr: 0.1, momentum: 0.9 }), P0, () => G);
  const cum = [1, 2.9, 5.61];
  for (let t = 0; t < 3; t++) assertClose(out[t], P0.map((p, i) => p - 0.1 * cum[t] * G[i]), 1e-12, 1e-15, `t=${t}`);
});

test('sgd: dampening 0.5 leaves the first buffer undamped: b = g, 1.4 g, 1.76 g (hand values)', () => {
  // b2 = 0.9 g + 0.5 g = 1.4 g; b3 = 0.9·1.4 g + 0.5 g = 1.76 g.
  const out = run(sgd({ lr: 0.1, momentum: 0.9, dampening: 0.5 }), P0, () => G);
  const cum = [1, 2.4, 4.16];
  for (let t = 0; t < 3; t++) assertClose(out[t], P0.map((p, i) => p - 0.1 * cum[t] * G[i]), 1e-12, 1e-15, `t=${t}`);
});

test('sgd: nesterov steps are g + μ b: 1.9 g, 2.71 g, 3.439 g (hand values)', () => {
  const out = run(sgd({ lr: 0.1, momentum: 0.9, nesterov: true }), P0, () => G);
  const cum = [1.9, 4.61, 8.049];
  for (let t = 0; t < 3; t++) assertClose(out[t], P0.map((p, i) => p - 0.1 * cum[t] * G[i]), 1e-12, 1e-15, `t=${t}`);
});

test('sgd: momentum, nesterov and weight decay with changing gradients match the scalar recursion', () => {
  const lr = 0.05, mu = 0.8, wd = 0.1;
  for (const nesterov of [false, true]) {
    const out = run(sgd({ lr, momentum: mu, weightDecay: wd, nesterov }), P0, (t) => GS[t]);
    for (let i = 0; i < 3; i++) {
      let p = P0[i], b = 0;
      for (let t = 0; t < 3; t++) {
        const g = GS[t][i] + wd * p;
        b = t === 0 ? g : mu * b + g;
        p = p - lr * (nesterov ? g + mu * b : b);
        assertClose(out[t][i], p, 1e-12, 1e-15, `nesterov=${nesterov} t=${t} i=${i}`);
      }
    }
  }
});

test('sgd: weight decay alone is θ − η (g + λθ)', () => {
  const [p1] = run(sgd({ lr: 0.1, weightDecay: 0.5 }), P0, () => G, 1);
  assertClose(p1, [1 - 0.1 * (0.3 + 0.5), -2 - 0.1 * (-0.1 - 1), 0.5 - 0.1 * (2 + 0.25)]);
});

test('sgd: default lr is 1e-3 and step returns the lr used', () => {
  const opt = sgd();
  const p = new Float64Array([1]);
  assert.equal(opt.step(p, new Float64Array([2])), 1e-3);
  assert.equal(p[0], 1 - 2e-3);
  assert.equal(opt.stepCount, 1);
  assert.equal(opt.name, 'sgd');
});

test('sgd (property): without momentum one step is exactly p − lr·g, and grads are not modified', () => {
  const vec = fc.integer({ min: 0, max: 20 }).chain((n) => fc.tuple(
    fc.float64Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    fc.float64Array({ minLength: n, maxLength: n, noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
  ));
  fc.assert(fc.property(vec, fc.double({ min: 1e-8, max: 10, noNaN: true }), ([p, g], lr) => {
    const params = Float64Array.from(p);
    const grads = Float64Array.from(g);
    sgd({ lr }).step(params, grads);
    for (let i = 0; i < p.length; i++) {
      if (params[i] !== p[i] - lr * g[i]) return false;
      if (!Object.is(grads[i], g[i])) return false;
    }
    return true;
  }), { seed: 20240601, numRuns: 200 });
});
