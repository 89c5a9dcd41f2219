/** Loss helpers: reference values, gradients against central differences, weights/mask, and their errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mse, l1, crossEntropy, type LossFn } from '../../src/train/losses.ts';
import { assertClose, assertTideError } from '../optim/util.ts';

/** Central differences of L at ys, step h. */
function fd(loss: LossFn, ys: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(ys.length), d = new Float64Array(ys.length);
  for (let i = 0; i < ys.length; i++) {
    const y = ys.slice();
    y[i] += h; const a = loss(y, d);
    y[i] -= 2 * h; const b = loss(y, d);
    g[i] = (a - b) / (2 * h);
  }
  return g;
}

const Y = Float64Array.from([0.5, -1.2, 2.0, 0.3, 1.1, -0.7]);
const T = Float64Array.from([0.0, -1.0, 1.5, 0.3, 2.0, 0.1]);

test('mse / l1: reference values (torch.nn.MSELoss / L1Loss, mean) and gradients vs central differences', () => {
  const d = new Float64Array(6);
  // diffs 0.5, −0.2, 0.5, 0, −0.9, −0.8: squares sum 0.25+0.04+0.25+0+0.81+0.64 = 1.99; abs sum 2.9.
  assertClose(mse(T)(Y, d), 1.99 / 6, 1e-14);
  assertClose(d, [1, -0.4, 1, 0, -1.8, -1.6].map((x) => x / 6), 1e-13);
  assertClose(d, fd(mse(T), Y), 1e-7, 1e-10);
  assertClose(l1(T)(Y, d), 2.9 / 6, 1e-14);
  assertClose(d, [1, -1, 1, 0, -1, -1].map((x) => x / 6), 1e-14); // subgradient 0 where y = t
  assertClose(mse(T, { reduction: 'sum' })(Y, d), 1.99, 1e-14);
});

test('mse / l1: row weights and masks (3 rows of 2)', () => {
  const d = new Float64Array(6);
  // row sums of squares: 0.29, 0.25, 1.45; weights 1, 0, 2: (0.29 + 2.9) / (3·2).
  const w = mse(T, { weights: [1, 0, 2] });
  assertClose(w(Y, d), (0.29 + 2 * 1.45) / 6, 1e-14);
  assertClose(d, fd(w, Y), 1e-7, 1e-10);
  assert.equal(d[2], 0); assert.equal(d[3], 0);
  const m = l1(T, { mask: [true, false, true] });
  assertClose(m(Y, d), (0.7 + 1.7) / 4, 1e-14);
  assert.equal(d[2], 0);
  assertClose(m(Y, d), l1(T, { weights: [1, 0, 1] })(Y, d), 1e-15);
});

test('mse: the batch target replaces the fixed one; no target at all is an error', () => {
  const d = new Float64Array(6);
  assertClose(mse()(Y, d, { target: T }), 1.99 / 6, 1e-14);
  assertClose(mse(Y)(Y, d, { target: T }), 1.99 / 6, 1e-14);
  assertTideError(() => mse()(Y, d), 'BAD_ARGUMENT', 'mse: no target');
});

test('crossEntropy: reference value, gradient = (softmax − onehot)/R, central differences, stable for large logits', () => {
  const z = Float64Array.from([1, 2, 3, 0, 0, 0]);
  const d = new Float64Array(6);
  const L = crossEntropy([2, 0], 3)(z, d);
  // row 0: −log(e³/(e + e² + e³)) = log(1 + e⁻¹ + e⁻²) = 0.40760596444; row 1: log 3.
  assertClose(L, (0.40760596444437 + Math.log(3)) / 2, 1e-12);
  const s = [Math.exp(1), Math.exp(2), Math.exp(3)], S = s[0] + s[1] + s[2];
  assertClose(d, [s[0] / S / 2, s[1] / S / 2, (s[2] / S - 1) / 2, (1 / 3 - 1) / 2, 1 / 6, 1 / 6], 1e-13);
  const ce = crossEntropy([1, 2], 3, { weights: [0.5, 2] });
  assertClose(ce(Y, d), (() => { ce(Y, d); return ce(Y, d); })(), 0);
  assertClose(d, fd(ce, Y), 1e-7, 1e-10);
  const big = Float64Array.from([1000, 1001, 999, -1000, 0, 1000]);
  const Lb = crossEntropy([1, 2], 3)(big, d);
  assert.ok(Number.isFinite(Lb) && d.every(Number.isFinite));
  assertClose(Lb, (Math.log(1 + Math.exp(-1) + Math.exp(-2)) + Math.log(1 + Math.exp(-1000) + Math.exp(-2000))) / 2, 1e-12);
});

test('losses: bad arguments and options are TideErrors', () => {
  const d = new Float64Array(6);
  assertTideError(() => mse([1, 2] as never), 'DTYPE', 'mse: target must be a Float64Array');
  assertTideError(() => mse(T)(new Float64Array(5), new Float64Array(5)), 'SHAPE', 'mse: ys has 5 entries but the target has 6');
  assertTideError(() => mse(T, { weights: [1, 1, 1, 1] })(Y, d), 'SHAPE', 'not a whole number of rows');
  assertTideError(() => mse(T, { wieghts: [1] } as never), 'BAD_OPTION', "Did you mean 'weights'");
  assertTideError(() => mse(T, { weights: [1, -1] }), 'BAD_OPTION', 'weights[1] must be a finite number ≥ 0');
  assertTideError(() => mse(T, { weights: [0, 0] }), 'BAD_OPTION', 'every row');
  assertTideError(() => l1(T, { mask: [1, 0.5] }), 'BAD_OPTION', 'mask[1] must be 0, 1, true or false');
  assertTideError(() => l1(T, { mask: [1], weights: [1] }), 'BAD_OPTION', 'not both');
  assertTideError(() => l1(T, { reduction: 'avg' as never }), 'BAD_OPTION', "reduction must be 'mean' or 'sum'");
  assertTideError(() => crossEntropy([0, 3], 3), 'BAD_ARGUMENT', 'labels[1] must be an integer in [0, 3)');
  assertTideError(() => crossEntropy([0], 1), 'BAD_ARGUMENT', 'classes must be an integer ≥ 2');
  assertTideError(() => crossEntropy([], 2), 'BAD_ARGUMENT', 'labels must be a non-empty array');
  assertTideError(() => crossEntropy([0, 1], 3, { weights: [1] }), 'BAD_OPTION', 'one per row');
  assertTideError(() => crossEntropy([0, 1], 2)(Y, d), 'SHAPE', 'expected 2 rows × 2 classes');
});
