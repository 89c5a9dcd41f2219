/** The I controller (factor = γ E^{−1/p}, Hairer, Nørsett & Wanner I, (II.4.13), with torchdiffeq/diffrax's clamps) and the SciPy-rule variant. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IController, ScipyController } from '../../src/control/i-controller.ts';

const g = { beta1: 0.14, beta2: 0.08 };

test('I controller: 0.9 E^{−1/p}, accepted clamped to [1, 10] (never shrinks), rejected to [0.2, 0.9]', () => {
  const c = new IController();
  c.reset(5, g);
  assert.equal(c.factor(0.9, true), 1, 'accepted steps never shrink');
  assert.ok(Math.abs(c.factor(0.01, true) - 0.9 * 0.01 ** -0.2) < 1e-15);
  assert.equal(c.factor(1e-12, true), 10);
  assert.equal(c.factor(0, true), 10);
  assert.ok(Math.abs(c.factor(2, false) - 0.9 * 2 ** -0.2) < 1e-15);
  assert.equal(c.factor(1e6, false), 0.2);
  assert.equal(c.factor(NaN, false), 0.2);
  c.reset(3, g);
  assert.ok(Math.abs(c.factor(0.01, true) - 0.9 * 0.01 ** (-1 / 3)) < 1e-15);
});

test('SciPy rules: accept E < 1, accepted steps may shrink, the step after a rejection may not grow', () => {
  const c = new ScipyController();
  c.reset(5, g);
  assert.equal(c.accept(1), false);
  assert.equal(c.accept(0.999), true);
  assert.ok(Math.abs(c.factor(0.9, true) - 0.9 * 0.9 ** -0.2) < 1e-15);
  c.factor(4, false);
  assert.equal(c.factor(1e-6, true), 1);
  assert.equal(c.factor(1e-12, true), 10);
});
