/**
 * linComb (the Runge–Kutta stepper's stage combinations, in its JS form: one pass for up to 6 terms, chunks past
 * that; wasm-blas1.test.ts checks the Wasm route) and the in-place dense evaluation against their
 * definitions written as the plain multi-pass loops (fill 0, add each nonzero term, scale; Horner one power at a
 * time): the results must be bitwise equal (Object.is per element, so signed zeros and NaN count), for every count
 * of nonzero coefficients (the unrolled cases 0–6 and the chunked path past 6), with and without a base, at an
 * offset inside a larger array, and with NaN/Infinity in the stages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linComb } from '../../../src/core/kernels/blas1.ts';
import { setBackend } from '../../../src/core/kernels/wasm.ts';
import { evalDense, evalDenseInto } from '../../../src/solvers/dense/polynomial.ts';
import { Rng } from '../../../src/core/random.ts';
import { after, before } from 'node:test';

before(() => setBackend('js'));
after(() => setBackend('auto'));

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

test('linComb (JS) equals fill-accumulate-scale bitwise for 0 … 16 terms, zero coefficients, offsets and both forms', () => {
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
        assertBitwise(linComb(new Float64Array(n), base, w, Float64Array.from(coef), k, count), want, `count ${count}, n ${n}, base ${withBase}`);
        // At an offset inside a larger array: only [off, off + n) is written.
        const big = new Float64Array(n + 7).fill(-1);
        linComb(big, base, w, coef, k, count, 4, n);
        assertBitwise(big.subarray(4, 4 + n), want, `count ${count} at offset 4`);
        assert.ok(big.subarray(0, 4).every((v) => v === -1) && big.subarray(4 + n).every((v) => v === -1), 'writes outside the row');
      }
    }
  }
});

test('linComb (JS) keeps signed zeros, NaN and Infinity as the definition does', () => {
  const n = 6;
  const k = [Float64Array.of(-0, 0, NaN, Infinity, -Infinity, 1), Float64Array.of(-0, -0, 1, -Infinity, 1, -0)];
  const base = Float64Array.of(-0, -0, 2, 3, 4, -0);
  for (const coef of [[1, 1], [-1, 0], [0, 2], [0, 0]]) {
    for (const b of [base, null]) {
      assertBitwise(linComb(new Float64Array(n), b, 0.5, coef, k, 2), definition(coef, 2, 0.5, b, k, n), `coef ${coef}`);
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

test('solves of a 300-dimensional system are bit-identical on the JS and the WebAssembly vector kernels', async () => {
  const { solve } = await import('../../../src/index.ts');
  const n = 300;
  const f = (out: Float64Array, t: number, y: Float64Array): void => {
    for (let i = 0; i < n; i++) out[i] = Math.sin(y[(i + 1) % n]) - 0.4 * y[i] + 0.1 * Math.cos(t + i);
  };
  const y0 = new Rng(2).fillNormal(new Float64Array(n));
  for (const method of ['dopri5', 'tsit5', 'dopri8', 'bs3']) {
    const o = { t1: 2, method, rtol: 1e-7, atol: 1e-9, saveAt: { ts: [0.3, 1.1, 2], dense: true } };
    const run = (backend: 'js' | 'auto'): Float64Array => {
      setBackend(backend);
      const s = solve(f, y0, o);
      return Float64Array.from([...s.ys, ...s.evaluate(0.77), s.stats.nfe]);
    };
    const js = run('js'), wasm = run('auto');
    setBackend('js');
    assertBitwise(wasm, js, `${method}: auto vs js`);
  }
});
