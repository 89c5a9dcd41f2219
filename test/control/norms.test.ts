/** The RMS error norm (Hairer, Nørsett & Wanner I, (II.4.11)) with scalar and per-component tolerances, and its range form for seminorms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmsNorm, rmsNormRange } from '../../src/control/norms.ts';

test('rmsNorm = sqrt(mean((err / (atol + rtol max(|y0|, |y1|)))²))', () => {
  const err = Float64Array.of(1e-4, -2e-4, 0);
  const y0 = Float64Array.of(1, -3, 0), y1 = Float64Array.of(2, 1, 0);
  const sc = [1e-6 + 1e-3 * 2, 1e-6 + 1e-3 * 3, 1e-6];
  const want = Math.sqrt(((1e-4 / sc[0]) ** 2 + (2e-4 / sc[1]) ** 2) / 3);
  assert.ok(Math.abs(rmsNorm(err, y0, y1, 1e-3, 1e-6) - want) < 1e-15 * want);
  // Per-component arrays give the same answer when they hold the scalar, in every combination.
  const r = Float64Array.of(1e-3, 1e-3, 1e-3), a = Float64Array.of(1e-6, 1e-6, 1e-6);
  for (const [rt, at] of [[r, 1e-6], [1e-3, a], [r, a]] as const) {
    assert.ok(Math.abs(rmsNorm(err, y0, y1, rt, at) - want) < 1e-15 * want);
  }
  // Per-component tolerances weight components differently.
  assert.ok(rmsNorm(err, y0, y1, 1e-3, Float64Array.of(1, 1e-6, 1e-6)) < want);
});

test('NaN or Inf in the error or the new state gives a non-finite norm', () => {
  const y = Float64Array.of(1, 1);
  assert.ok(Number.isNaN(rmsNorm(Float64Array.of(NaN, 0), y, y, 1e-3, 1e-6)));
  assert.ok(!Number.isFinite(rmsNorm(Float64Array.of(Infinity, 0), y, y, 1e-3, 1e-6)));
  assert.ok(Number.isNaN(rmsNorm(Float64Array.of(1e-9, 0), y, Float64Array.of(NaN, 1), 1e-3, 1e-6)));
});

test('rmsNormRange over blocks builds a seminorm; an empty range is 0', () => {
  const err = Float64Array.of(1e-6, 2e-6, 5, 5);
  const y = new Float64Array(4);
  const semi = Math.max(rmsNormRange(err, y, y, 1e-3, 1e-6, 0, 1), rmsNormRange(err, y, y, 1e-3, 1e-6, 1, 2));
  assert.ok(Math.abs(semi - 2) < 1e-12);
  assert.equal(rmsNormRange(err, y, y, 1e-3, 1e-6, 2, 2), 0);
});
