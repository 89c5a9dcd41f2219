/** Learning-rate schedules at chosen steps, and their use by an optimizer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constant, cosine, exponential, inverseTime } from '../../src/optim/schedules.ts';
import { sgd } from '../../src/optim/sgd.ts';
import { adam } from '../../src/optim/adam.ts';
import { assertClose } from './util.ts';

test('constant: the same lr at every step', () => {
  const s = constant(0.3);
  assert.equal(s(0), 0.3);
  assert.equal(s(12345), 0.3);
});

test('cosine: lr at 0, mid-point at steps/2, minLr at steps and after', () => {
  const s = cosine({ lr: 1e-3, steps: 100, minLr: 1e-6 });
  assertClose(s(0), 1e-3, 1e-15);
  assertClose(s(50), (1e-3 + 1e-6) / 2, 1e-14);
  assertClose(s(25), 1e-6 + (1e-3 - 1e-6) * (1 + Math.SQRT1_2) / 2, 1e-14); // cos(π/4) = 1/√2
  assertClose(s(100), 1e-6, 1e-14);
  assert.equal(s(101), 1e-6);
  assert.equal(s(1e6), 1e-6);
  const z = cosine({ lr: 2, steps: 10 });
  assertClose(z(5), 1, 1e-15);
  assertClose(z(10), 0, 0, 1e-15);
  for (let k = 1; k <= 10; k++) assert.ok(z(k) <= z(k - 1), 'non-increasing');
});

test('cosine: linear warmup reaches lr at warmupSteps − 1, then anneals over the rest of steps', () => {
  const s = cosine({ lr: 1, steps: 14, warmupSteps: 4, minLr: 0.2 });
  assertClose([s(0), s(1), s(2), s(3)], [0.25, 0.5, 0.75, 1], 1e-15);
  assertClose(s(4), 1, 1e-15);                 // cosine phase starts at its peak
  assertClose(s(9), 0.6, 1e-14);               // half-way through the 10 annealing steps
  assertClose(s(14), 0.2, 1e-14);
  assert.equal(s(20), 0.2);
});

test('exponential: smooth lr·γ^(k/D) and staircase lr·γ^⌊k/D⌋', () => {
  const smooth = exponential({ lr: 0.1, decayRate: 0.5, decaySteps: 10 });
  assertClose(smooth(0), 0.1, 1e-15);
  assertClose(smooth(5), 0.1 * Math.SQRT1_2, 1e-14);
  assertClose(smooth(10), 0.05, 1e-14);
  assertClose(smooth(30), 0.0125, 1e-14);
  const stairs = exponential({ lr: 0.1, decayRate: 0.5, decaySteps: 10, staircase: true });
  assert.deepEqual([0, 9, 10, 19, 20, 35].map(stairs), [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
  const perStep = exponential({ lr: 1, decayRate: 0.9 });
  assertClose(perStep(3), 0.729, 1e-15);
});

test('inverseTime: lr/(1 + γ k/D), staircase with ⌊k/D⌋', () => {
  const s = inverseTime({ lr: 1, decayRate: 0.5, decaySteps: 10 });
  assertClose([s(0), s(10), s(20), s(5)], [1, 1 / 1.5, 0.5, 0.8], 1e-15);
  const st = inverseTime({ lr: 1, decayRate: 1, decaySteps: 4, staircase: true });
  assert.deepEqual([0, 3, 4, 7, 8].map(st), [1, 1, 0.5, 0.5, 1 / 3]);
});

test('optimizers: a schedule is read at stepCount; step returns it and learningRate() previews the next', () => {
  const sched = exponential({ lr: 0.1, decayRate: 0.5, staircase: true });
  const opt = sgd({ lr: sched });
  const p = new Float64Array([0]);
  assert.equal(opt.learningRate(), 0.1);
  assert.equal(opt.step(p, new Float64Array([1])), 0.1);
  assert.equal(opt.learningRate(), 0.05);
  assert.equal(opt.step(p, new Float64Array([1])), 0.05);
  assertClose(p[0], -0.15, 1e-15);
  opt.reset();
  assert.equal(opt.learningRate(), 0.1, 'reset restarts the schedule');
  // A schedule that returns 0 (cosine at its end with minLr 0) is allowed: the update is then a no-op.
  const a = adam({ lr: cosine({ lr: 0.1, steps: 1 }) });
  const q = new Float64Array([1]);
  a.step(q, new Float64Array([1]));
  assert.equal(a.step(q, new Float64Array([1])), 0);
});
