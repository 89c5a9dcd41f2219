/**
 * The one-pass stage combinations of the Runge–Kutta stepper and the in-place dense evaluation against their
 * definitions written as the plain multi-pass loops (fill 0, add each nonzero term, scale; Horner one power at a
 * time): the results must be bitwise equal (Object.is per element, so signed zeros and NaN count), for every count
 * of nonzero coefficients (the unrolled cases 0–6 and the chunked path past 6), with and without a base, at an
 * offset inside a larger array, and with NaN/Infinity in the stages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { combine } from '../../src/solvers/combine.ts';
import { evalDense, evalDenseInto } from '../../src/solvers/dense/polynomial.ts';
import { Rng } from '../../src/core/random.ts';

function definition(coef: ArrayLike<number>, count: number, w: number, base: Float64Array | null, k: Float64Array[], n: number): Float64Array {
  const acc = new Float64Array(n);
  for (let j = 0; j < count; j++) {
    if (coef[j] === 0) continue;
    for (let m = 0; m < n; m++) acc[m] += coef[j] * k[j][m];
  }
  for (let m = 0; m < n; m++) acc[m] = base !== null ? base[m] + w * acc[m] : acc[m] * w;
  return acc;
}

function assertBitwise(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) assert.fail(`${what}: element ${i} is ${got[i]}, the definition gives ${want[i]}`);
  }
}

test('combine equals fill-accumulate-scale bitwise for 0 … 16 terms, zero coefficients, offsets and both forms', () => {
  const rng = new Rng(7);
  for (let count = 0; count <= 16; count++) {
    for (const n of [1, 3, 32, 33]) {
      for (const withBase of [true, false]) {
        const k = Array.from({ length: count }, () => rng.fillNormal(new Float64Array(n)));
        // About a third of the coefficients zero, so the nonzero count runs through every unrolled case.
        const coef = Array.from({ length: count }, () => (rng.uniform() < 0.33 ? 0 : rng.normal()));
        const base = withBase ? rng.fillNormal(new Float64Array(n)) : null;
        const w = 0.1 + rng.uniform();
        const want = definition(coef, count, w, base, k, n);
        assertBitwise(combine(new Float64Array(n), Float64Array.from(coef), count, w, base, k), want, `count ${count}, n ${n}, base ${withBase}`);
        // At an offset inside a larger array: only [off, off + n) is written.
        const big = new Float64Array(n + 7).fill(-1);
        combine(big, coef, count, w, base, k, 4, n);
        assertBitwise(big.subarray(4, 4 + n), want, `count ${count} at offset 4`);
        assert.ok(big.subarray(0, 4).every((v) => v === -1) && big.subarray(4 + n).every((v) => v === -1), 'writes outside the row');
      }
    }
  }
});

test('combine keeps signed zeros, NaN and Infinity as the definition does', () => {
  const n = 6;
  const k = [Float64Array.of(-0, 0, NaN, Infinity, -Infinity, 1), Float64Array.of(-0, -0, 1, -Infinity, 1, -0)];
  const base = Float64Array.of(-0, -0, 2, 3, 4, -0);
  for (const coef of [[1, 1], [-1, 0], [0, 2], [0, 0]]) {
    for (const b of [base, null]) {
      assertBitwise(combine(new Float64Array(n), coef, 2, 0.5, b, k), definition(coef, 2, 0.5, b, k, n), `coef ${coef}`);
    }
  }
});

test('evalDenseInto equals the Horner loop bitwise for widths 1 … 8, at an offset of both arrays', () => {
  const rng = new Rng(3);
  for (let width = 1; width <= 8; width++) {
    const n = 5, steps = 3;
    const coef = rng.fillNormal(new Float64Array(steps * width * n));
    for (const theta of [0, 0.3, 1, -0.2]) {
      const offset = 2 * width * n;
      const want = new Float64Array(n);
      for (let m = 0; m < n; m++) {
        let acc = coef[offset + (width - 1) * n + m];
        for (let r = width - 2; r >= 0; r--) acc = acc * theta + coef[offset + r * n + m];
        want[m] = acc;
      }
      const out = new Float64Array(n + 4).fill(-1);
      evalDenseInto(out, 3, n, theta, coef, width, offset);
      assertBitwise(out.subarray(3, 3 + n), want, `width ${width}, θ ${theta}`);
      assert.equal(out[2], -1); assert.equal(out[3 + n], -1);
      assertBitwise(evalDense(new Float64Array(n), theta, coef, width, offset), want, `evalDense width ${width}`);
    }
  }
});
