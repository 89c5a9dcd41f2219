/**
 * RMSprop against values written out by hand from torch.optim.RMSprop's update:
 *   g ← g + λθ;  v ← αv + (1−α)g²;  centered: ḡ ← αḡ + (1−α)g, d = √(v − ḡ²) + ε, else d = √v + ε;
 *   momentum: b ← μb + g/d, θ ← θ − ηb;  else θ ← θ − η g/d.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmsprop } from '../../src/optim/rmsprop.ts';
import { optimizer } from '../../src/optim/optimizer.ts';
import { assertClose, assertTideError } from './util.ts';

const P0 = [1.0, -2.0, 0.5];
const GS = [[0.3, -0.1, 2.0], [0.5, 0.2, -1.0], [-0.4, 0.05, 0.7]];

function run(opt: ReturnType<typeof rmsprop>, steps = 3): number[][] {
  const p = Float64Array.from(P0);
  const out: number[][] = [];
  for (let t = 0; t < steps; t++) {
    opt.step(p, Float64Array.from(GS[t]));
    out.push(Array.from(p));
  }
  return out;
}

test('rmsprop: first step with α = 0.99 moves by η g/(0.1|g| + ε) = 10 η sign(g) (hand values)', () => {
  // v1 = 0.01 g², √v1 = 0.1 |g|, so the step is η g / (0.1|g| + 1e-8) ≈ 10 η sign(g).
  const [p1] = run(rmsprop({ lr: 0.01 }), 1);
  assertClose(p1, [1 - 0.01 * 0.3 / (0.03 + 1e-8), -2 + 0.01 * 0.1 / (0.01 + 1e-8), 0.5 - 0.01 * 2 / (0.2 + 1e-8)], 1e-14);
  assertClose(p1, [0.9, -1.9, 0.4], 1e-6);
});

test('rmsprop: α = 0.5, two steps on one coordinate (hand values)', () => {
  // θ0 = 1, g = 0.3 then 0.5, η = 0.1, ε = 1e-8.
  // v1 = 0.5·0.09 = 0.045, θ1 = 1 − 0.1·0.3/(√0.045 + ε);  v2 = 0.5·0.045 + 0.5·0.25 = 0.1475, θ2 = θ1 − 0.1·0.5/(√0.1475 + ε).
  const out = run(rmsprop({ lr: 0.1, alpha: 0.5 }), 2);
  const t1 = 1 - 0.1 * 0.3 / (Math.sqrt(0.045) + 1e-8);
  const t2 = t1 - 0.1 * 0.5 / (Math.sqrt(0.1475) + 1e-8);
  assertClose(out[0][0], t1, 1e-14);
  assertClose(out[1][0], t2, 1e-14);
  assertClose(out[1][0], 0.7283897428, 1e-9); // 1 − 0.1414213556 − 0.1301889016
});

test('rmsprop: centered, momentum and weight decay match the scalar recursion of torch.optim.RMSprop', () => {
  const lr = 0.05, a = 0.9, eps = 1e-6, mu = 0.7, wd = 0.1;
  for (const centered of [false, true]) {
    for (const momentum of [0, mu]) {
      const out = run(rmsprop({ lr, alpha: a, eps, momentum, centered, weightDecay: wd }));
      for (let i = 0; i < 3; i++) {
        let p = P0[i], v = 0, gAvg = 0, b = 0;
        for (let t = 0; t < 3; t++) {
          const g = GS[t][i] + wd * p;
          v = a * v + (1 - a) * g * g;
          let ms = v;
          if (centered) { gAvg = a * gAvg + (1 - a) * g; ms = v - gAvg * gAvg; }
          const s = g / (Math.sqrt(ms) + eps);
          if (momentum !== 0) { b = momentum * b + s; p -= lr * b; } else p -= lr * s;
          assertClose(out[t][i], p, 1e-13, 1e-15, `centered ${centered} momentum ${momentum} t=${t} i=${i}`);
        }
      }
    }
  }
});

test('rmsprop: centered first step uses √(v − ḡ²) = √(α(1−α)) |g| (hand value)', () => {
  // v1 = (1−α)g², ḡ1 = (1−α)g, v1 − ḡ1² = α(1−α)g²; α = 0.75: √0.1875 |g|.
  const [p1] = run(rmsprop({ lr: 0.1, alpha: 0.75, centered: true, eps: 1e-12 }), 1);
  assertClose(p1, P0.map((p, i) => p - 0.1 * Math.sign(GS[0][i]) / Math.sqrt(0.1875)), 1e-10);
});

test('rmsprop: buffers v, b, gAvg by options; the factory makes the same optimizer', () => {
  const opt = rmsprop({ momentum: 0.5, centered: true });
  opt.step(new Float64Array([1, 2]), new Float64Array([0.1, 0.2]));
  assert.deepEqual(Object.keys(opt.state().buffers), ['v', 'b', 'gAvg']);
  const plain = rmsprop();
  plain.step(new Float64Array([1]), new Float64Array([1]));
  assert.deepEqual(Object.keys(plain.state().buffers), ['v']);
  assert.deepEqual(run(optimizer('rmsprop', { lr: 0.02, momentum: 0.3 })), run(rmsprop({ lr: 0.02, momentum: 0.3 })));
  assert.equal(rmsprop().learningRate(), 1e-2);
});

test('rmsprop: bad options are TideErrors naming the option', () => {
  assertTideError(() => rmsprop({ alpha: 1 }), 'BAD_OPTION', 'rmsprop: alpha must be a number in [0, 1), got 1');
  assertTideError(() => rmsprop({ eps: 0 }), 'BAD_OPTION', 'rmsprop: eps must be a finite number > 0');
  assertTideError(() => rmsprop({ momentum: -0.1 }), 'BAD_OPTION', 'rmsprop: momentum must be a number in [0, 1)');
  assertTideError(() => rmsprop({ centered: 1 } as never), 'BAD_OPTION', 'rmsprop: centered must be true or false');
  assertTideError(() => rmsprop({ weightDecay: -1 }), 'BAD_OPTION', 'rmsprop: weightDecay must be a finite number ≥ 0');
  assertTideError(() => rmsprop({ alhpa: 0.9 } as never), 'BAD_OPTION', "alpha");
  const opt = rmsprop({ momentum: 0.5 });
  opt.step(new Float64Array([1]), new Float64Array([1]));
  assertTideError(() => rmsprop().loadState(opt.state()), 'BAD_ARGUMENT', 'expects [v]');
});
