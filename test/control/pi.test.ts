/** The PI controller (Gustafsson, Lundh & Söderlind 1988; Hairer & Wanner II, §IV.2; Pal 2023 thesis §2.3), against the formulas written out by hand. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PIController } from '../../src/control/pi.ts';
import { TideError } from '../../src/core/errors.ts';

const gains = { beta1: 0.14, beta2: 0.08 };
const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) <= 1e-15 * Math.abs(b), `${a} vs ${b}`);

test('accepted: factor = clamp(0.9 E^{−β1} E_old^{β2}, 0.2, 10), E_old starts at 1e-4 and becomes max(E, 1e-4)', () => {
  const c = new PIController();
  c.reset(5, gains);
  assert.ok(c.accept(0.5));
  close(c.factor(0.5, true), 0.9 * 0.5 ** -0.14 * 1e-4 ** 0.08);
  close(c.factor(0.3, true), 0.9 * 0.3 ** -0.14 * 0.5 ** 0.08);
  close(c.factor(1e-6, true), 0.9 * 1e-6 ** -0.14 * 0.3 ** 0.08);
  // E_old clamps to 1e-4 from below; a tiny E hits qmax.
  close(c.factor(1e-30, true), 10);
  close(c.factor(0.5, true), 0.9 * 0.5 ** -0.14 * 1e-4 ** 0.08);
});

test('rejected: factor = max(0.2, 0.9 E^{−β1}), E_old unchanged; E = 0 gives 10; NaN/Inf are rejected with 0.2', () => {
  const c = new PIController();
  c.reset(5, gains);
  assert.equal(c.accept(1), true);
  assert.equal(c.accept(1.0000001), false);
  close(c.factor(2, false), 0.9 * 2 ** -0.14);
  close(c.factor(1e9, false), 0.2);
  close(c.factor(0.5, true), 0.9 * 0.5 ** -0.14 * 1e-4 ** 0.08);
  assert.equal(c.factor(0, true), 10);
  assert.equal(c.accept(NaN), false);
  assert.equal(c.accept(Infinity), false);
  assert.equal(c.factor(NaN, false), 0.2);
  assert.equal(c.factor(Infinity, false), 0.2);
  // NaN never reaches E_old: the next accepted factor still uses the last finite E (here E_old = 1e-4 after E = 0).
  close(c.factor(0.5, true), 0.9 * 0.5 ** -0.14 * 1e-4 ** 0.08);
});

test('gains come from the solver unless fixed; reset restores E_old; options are checked', () => {
  const c = new PIController({ beta1: 0.2, beta2: 0 });
  c.reset(5, gains);
  close(c.factor(0.5, true), 0.9 * 0.5 ** -0.2);
  const d = new PIController({ noGrowAfterReject: true });
  d.reset(5, gains);
  d.factor(3, false);
  assert.equal(d.factor(1e-3, true), 1, 'no growth right after a rejection');
  assert.ok(d.factor(1e-3, true) > 1);
  assert.throws(() => new PIController({ safety: 2 }), (e: unknown) => e instanceof TideError && e.code === 'BAD_OPTION' && /safety must be in \(0, 1\]/.test(e.message));
  assert.throws(() => new PIController({ beta: 1 } as never), /unknown option 'beta'/);
});
