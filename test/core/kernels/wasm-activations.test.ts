/**
 * The activations computed inside the Wasm module (wasm/assembly/activations.ts: tanh, relu, identity) against
 * mpmath (test/fixtures/erf_refs.json) at the JS kernels' ulp bounds, and bit for bit against the JS kernels
 * (they compute the same values on the same tables), including ±0, NaN, ±Infinity, the tiny-|x| exit (folded into
 * the formula in Wasm), ties of the table grid, the table's last entry and every length mod 4 (the tails). Backward passes from y, also bit for bit.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { activations } from '../../../src/core/kernels/activations.ts';
import { tanh } from '../../../src/core/kernels/fastmath.ts';
import { wasmActivationId, wasmActivationKernel } from '../../../src/core/kernels/wasm.ts';
import { ulpOf } from '../../oracles/ulp.ts';

const refs = JSON.parse(readFileSync(new URL('../../fixtures/erf_refs.json', import.meta.url), 'utf8')) as Record<string, number[][]>;

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}

const SPECIAL = [0, -0, NaN, Infinity, -Infinity, 1e-300, -1e-300, 5e-324, 3.725290298461914e-9, 3.7252902984619136e-9,
  -3.725290298461914e-9, 1 / 128, 1 / 64, 19.0625, -19.0625, 19.0624999, 20, 710, -710, 1e308, -1e308, 0.5, -0.5];

/** Special values, then log-uniform magnitudes with random signs from 1e-12 to 40 (odd count: the scalar tail runs). */
function inputs(seed: number, n = 20001): Float64Array {
  const r = rng(seed), out = new Float64Array(SPECIAL.length + n);
  out.set(SPECIAL);
  for (let i = 0; i < n; i++) out[SPECIAL.length + i] = (r() < 0.5 ? -1 : 1) * Math.exp(Math.log(1e-12) + r() * Math.log(40 / 1e-12));
  return out;
}

function sameBits(a: Float64Array, b: Float64Array, what: string, x: Float64Array): void {
  const ua = new BigUint64Array(a.buffer, a.byteOffset, a.length), ub = new BigUint64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    assert.equal(ua[i], ub[i], `${what}: wasm ${a[i]} vs js ${b[i]} at x = ${x[i]} (index ${i})`);
  }
}

describe('wasm activations', () => {
  test('tanh, relu and identity have Wasm ids; the others run in JS', () => {
    assert.deepEqual(['identity', 'tanh', 'relu'].map(wasmActivationId), [0, 1, 2]);
    for (const name of ['sigmoid', 'softplus', 'gelu', 'gelu-tanh', 'swish']) assert.equal(wasmActivationId(name), -1, name);
  });

  test('tanh: within 0.6 ulp of mpmath (the JS bound; measured 0.51)', () => {
    const xs = Float64Array.from(refs.tanh, (r) => r[0]);
    const y = wasmActivationKernel(new Float64Array(xs.length), xs, null, xs.length, wasmActivationId('tanh'));
    let max = 0, at = NaN;
    refs.tanh.forEach(([x, hi, lo], i) => {
      const e = Math.abs((y[i] - hi) - lo) / ulpOf(hi);
      if (e > max) { max = e; at = x; }
    });
    console.log(`  wasm tanh: max ${max.toFixed(3)} ulp against mpmath (at ${at})`);
    assert.ok(max <= 0.6, `wasm tanh is ${max} ulp off at x = ${at}`);
  });

  for (const name of ['tanh', 'relu', 'identity'] as const) {
    test(`${name}: forward and backward bit-identical to the JS kernel, specials and odd lengths included`, () => {
      const act = activations[name], id = wasmActivationId(name);
      for (const n of [1, 2, 3, 4, 5, 6, 7, 20000 + SPECIAL.length - 1, 20001 + SPECIAL.length]) {
        const x = inputs(11 + n).subarray(0, n);
        const yJs = act.forward(new Float64Array(n), x) as Float64Array;
        const yW = wasmActivationKernel(new Float64Array(n), x, null, n, id);
        sameBits(yW, yJs, `${name} forward n = ${n}`, x);
        const dOut = inputs(5 + n).subarray(0, n).map((v) => (Number.isFinite(v) ? v : 1.5));
        const dJs = act.backward(new Float64Array(n), dOut, x, yJs) as Float64Array;
        const dW = wasmActivationKernel(new Float64Array(n), dOut, yJs, n, id);
        sameBits(dW, dJs, `${name} backward n = ${n}`, x);
      }
    });
  }

  test('tanh: bit-identical to fastmath.tanh on grid ties, near the table ends, tiny and subnormal inputs', () => {
    // ties (2k + 1)/128 exercise the round-half-even choice of the table index; values either side of 19.0625 the
    // clamp; |x| < 2^-28 (normal and subnormal) the exit that the Wasm kernel folds into its formula
    const xs: number[] = [];
    for (let k = 0; k <= 2441; k++) {
      const t = (2 * k + 1) / 128;
      xs.push(t, -t, t * (1 + 2 ** -52), -t * (1 - 2 ** -53));
    }
    const r = rng(7);
    for (let i = 0; i < 4000; i++) {
      const sg = r() < 0.5 ? -1 : 1;
      xs.push(sg * 2 ** (-1074 + r() * 1046), sg * (19 + r() * 0.125), sg * 2 ** (-28 + r() * 0.01));
    }
    const x = Float64Array.from(xs), n = x.length;
    const yJs = Float64Array.from(x, tanh);
    const yW = wasmActivationKernel(new Float64Array(n), x, null, n, wasmActivationId('tanh'));
    sameBits(yW, yJs, 'tanh ties/tiny/ends', x);
  });

  test('tanh keeps the sign of zero and the limits', () => {
    const x = Float64Array.of(-0, 0, Infinity, -Infinity, NaN);
    const y = wasmActivationKernel(new Float64Array(5), x, null, 5, wasmActivationId('tanh'));
    assert.ok(Object.is(y[0], -0) && Object.is(y[1], 0));
    assert.deepEqual([y[2], y[3]], [1, -1]);
    assert.ok(Number.isNaN(y[4]));
  });
});
