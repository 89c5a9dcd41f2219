/** Gradient clipping: norms, direction, overflow safety, and clipNorm inside the optimizers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { clipGradNorm, clipGradValue, gradNorm } from '../../src/optim/clip.ts';
import { sgd } from '../../src/optim/sgd.ts';
import { adam } from '../../src/optim/adam.ts';
import { assertClose, l2 } from './util.ts';

test('clipGradNorm: returns the norm before clipping and rescales to maxNorm keeping the direction', () => {
  const g = new Float64Array([3, -4, 0]);
  assert.equal(clipGradNorm(g, 1), 5);
  assertClose(g, [0.6, -0.8, 0], 1e-15);
  assertClose(l2(g), 1, 1e-15);
});

test('clipGradNorm: a gradient already within maxNorm is untouched (bit for bit)', () => {
  const g = new Float64Array([0.1, -0.2, 0.3]);
  const copy = Float64Array.from(g);
  const n = clipGradNorm(g, 10);
  assertClose(n, Math.sqrt(0.14), 1e-15);
  assert.deepEqual(g, copy);
  assert.equal(clipGradNorm(new Float64Array(0), 1), 0);
});

test('gradNorm: safe from overflow and underflow of the squares', () => {
  assertClose(gradNorm(new Float64Array([3e200, 4e200])), 5e200, 1e-15);
  assertClose(gradNorm(new Float64Array([3e-200, -4e-200])), 5e-200, 1e-15);
  assert.ok(Number.isNaN(gradNorm(new Float64Array([1, NaN, Infinity]))));
  assert.equal(gradNorm(new Float64Array([1, -Infinity])), Infinity);
  // Finite entries whose norm exceeds the largest double: clipping still lands on maxNorm.
  const huge = new Float64Array([1.5e308, -1.5e308, 1e308]);
  assert.equal(clipGradNorm(huge, 2), Infinity);
  assertClose(l2(huge), 2, 1e-15);
  assertClose(huge[0] / huge[2], 1.5, 1e-15);
});

test('clipGradValue: clamps each entry and returns max |g| before clipping', () => {
  const g = new Float64Array([0.5, -3, 2, -0.1]);
  assert.equal(clipGradValue(g, 1), 3);
  assert.deepEqual(Array.from(g), [0.5, -1, 1, -0.1]);
});

test('optimizers: clipNorm scales grads in place before the update', () => {
  const p = new Float64Array([0, 0]);
  const g = new Float64Array([30, 40]);
  sgd({ lr: 1, clipNorm: 5 }).step(p, g);
  assertClose(g, [3, 4], 1e-15);
  assertClose(p, [-3, -4], 1e-15);
  // Below the threshold nothing changes: Adam's first step is lr·sign(g) either way.
  const q = new Float64Array([1]);
  const h = new Float64Array([0.5]);
  adam({ lr: 0.1, clipNorm: 1 }).step(q, h);
  assert.equal(h[0], 0.5);
  assertClose(q[0], 1 - 0.1 * 0.5 / (0.5 + 1e-8), 1e-15);
});

test('clipGradNorm (property): output norm ≤ maxNorm (1e-12 rel), direction kept, return value = input norm', () => {
  const vec = fc.float64Array({ minLength: 1, maxLength: 40, noNaN: true, noDefaultInfinity: true, min: -1e100, max: 1e100 });
  fc.assert(fc.property(vec, fc.double({ min: 1e-6, max: 1e6, noNaN: true }), (g0, maxNorm) => {
    const g = Float64Array.from(g0);
    const before = gradNorm(g);
    const ret = clipGradNorm(g, maxNorm);
    if (ret !== before) return false;
    const after = gradNorm(g);
    if (!(after <= maxNorm * (1 + 1e-12))) return false;
    if (before > maxNorm && !(Math.abs(after - maxNorm) <= 1e-12 * maxNorm)) return false;
    // Same direction: g = c·g0 with one c > 0 for every entry.
    const c = before > maxNorm ? maxNorm / before : 1;
    for (let i = 0; i < g.length; i++) {
      if (!(Math.abs(g[i] - c * g0[i]) <= 1e-12 * Math.abs(c * g0[i]) + Number.MIN_VALUE)) return false;
    }
    return true;
  }), { seed: 99, numRuns: 300 });
});
